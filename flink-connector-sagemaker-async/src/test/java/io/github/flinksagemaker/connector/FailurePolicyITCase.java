package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.Jobs;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.OutputFilenames;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.Rejection;
import io.github.flinksagemaker.local.LocalCounters.S3Fault;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalNotifications;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure policy through the one-call API with default options against the local endpoint: a
 * fault that dooms every element fails the job at once saying what to fix, a transient fault slows
 * the job down, a fault of one object becomes that element's result.
 */
class FailurePolicyITCase {
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();
    private static final Duration STALL = Duration.ofSeconds(60);

    /** In every payload, and in no failure message: those never show the payload. */
    private static final String PAYLOAD_MARKER = "payload-text-7c1e";

    private static final String WRONG_SECRET = "not-the-secret";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(8)
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @AfterEach
    void heal() {
        LOCAL.local().s3Faults().allowAll();
        LOCAL.local().s3Faults().incompleteBodyFraction(0);
        LOCAL.local().setSageMakerNetworkDelay(Duration.ZERO);
    }

    private static void register(String endpoint, FaultInjection faults) {
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .maxConcurrentInvocations(256)
                                .model(new DigestModel())
                                .faults(faults)
                                .build());
    }

    /** Default options, except where a test names one. */
    private static SageMakerAsyncInference.Builder<String, String> inference(String endpoint) {
        return SageMakerAsyncInference.<String>builder()
                .setAll(LOCAL.awsConfig())
                .endpointName(endpoint)
                .outputPath(LOCAL.prefix(endpoint, "output"))
                .failurePath(LOCAL.prefix(endpoint, "failure"))
                .s3InputPrefix(LOCAL.prefix(endpoint, "input"))
                .serializer(element -> SerializedRequest.of(payload(element)))
                .inferenceIdExtractor(element -> element);
    }

    private static byte[] payload(String element) {
        return ((element.endsWith("0") ? "E" : "p") + element + " " + PAYLOAD_MARKER).getBytes();
    }

    /** A payload the model always answers, so every element's expected result is SUCCESS. */
    private static SerializedRequest alwaysAnswered(String element) {
        return SerializedRequest.of(("p" + element).getBytes());
    }

    private static List<String> elements(String name, int count) {
        return IntStream.range(0, count).mapToObj(i -> name + "-" + i).toList();
    }

    private static StreamExecutionEnvironment environment() {
        // A restart strategy that would retry for a long time: fatal faults must not use it.
        Configuration config = new Configuration();
        config.setString("restart-strategy.type", "fixed-delay");
        config.setString("restart-strategy.fixed-delay.attempts", "1000");
        config.setString("restart-strategy.fixed-delay.delay", "200 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    /** Runs the job until it fails; returns the failure and how many results came before it. */
    private static Failure runUntilItFails(
            SageMakerAsyncInference<String, String> inference, List<String> elements)
            throws Exception {
        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        long start = System.nanoTime();
        JobClient job = env.executeAsync();
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            Throwable failure =
                    catchFailure(() -> job.getJobExecutionResult().get(30, TimeUnit.SECONDS));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FAILED);
            return new Failure(failure, collector.size(), System.nanoTime() - start);
        }
    }

    private record Failure(Throwable error, int resultsBefore, long nanos) {}

    private static Throwable catchFailure(ThrowingRunnable run) {
        try {
            run.run();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the job did not fail within 30 s", e);
        }
        throw new AssertionError("the job finished, it should have failed");
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void assertFatal(Failure failure, String... mentions) {
        assertThat(failure.error()).hasRootCauseInstanceOf(FatalAwsException.class);
        Throwable root = failure.error();
        while (root.getCause() != null) {
            root = root.getCause();
        }
        assertThat(root.getMessage()).contains(mentions);
        assertThat(ExceptionUtils.stringifyException(failure.error()))
                .as("the failure shows neither the payload nor credentials")
                .doesNotContain(PAYLOAD_MARKER)
                .doesNotContain(LOCAL.local().secretAccessKey())
                .doesNotContain(WRONG_SECRET);
        assertThat(failure.resultsBefore()).as("at most a handful of results first").isLessThan(5);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(failure.nanos())).isLessThan(30);
    }

    @Test
    void aWrongSecretKeyFailsTheJobNamingTheCredentials() throws Exception {
        String endpoint = "wrong-secret";
        register(endpoint, FaultInjection.NONE);
        Failure failure =
                runUntilItFails(
                        inference(endpoint)
                                .setAll(
                                        Configuration.fromMap(
                                                java.util.Map.of(
                                                        "aws.credentials.provider.basic.secretkey",
                                                        WRONG_SECRET)))
                                .build(),
                        elements(endpoint, 200));
        assertFatal(failure, "credentials", "aws.credentials.provider");
    }

    @Test
    void accessDeniedOnTheOutputPrefixFailsTheJobNamingThePrefixAndThePermission()
            throws Exception {
        String endpoint = "denied-output";
        register(endpoint, FaultInjection.NONE);
        LOCAL.local().s3Faults().deny(LOCAL.bucket(), endpoint + "/output", S3Operation.LIST);
        Failure failure = runUntilItFails(inference(endpoint).build(), elements(endpoint, 200));
        assertFatal(
                failure, "Listing " + LOCAL.prefix(endpoint, "output"), "AccessDenied", "Grant");
        assertThat(LOCAL.counters().s3Faults(S3Fault.ACCESS_DENIED)).isPositive();
    }

    @Test
    void anUnknownEndpointFailsTheJobNamingIt() throws Exception {
        String endpoint = "never-registered";
        Failure failure = runUntilItFails(inference(endpoint).build(), elements(endpoint, 200));
        assertFatal(failure, "never-registered", "not found", "sagemaker.endpoint-name");
    }

    @Test
    void aMissingBucketFailsTheJobNamingIt() throws Exception {
        String endpoint = "gone-bucket";
        String bucket = "bucket-that-was-deleted";
        LOCAL.local()
                .registerEndpoint(
                        LocalEndpointConfig.builder(endpoint)
                                .s3OutputPath("s3://" + bucket + "/output")
                                .s3FailurePath("s3://" + bucket + "/failure")
                                .model(new DigestModel())
                                .build());
        LOCAL.local().deleteBucket(bucket);
        Failure failure =
                runUntilItFails(
                        inference(endpoint)
                                .outputPath("s3://" + bucket + "/output")
                                .failurePath("s3://" + bucket + "/failure")
                                .build(),
                        elements(endpoint, 200));
        assertFatal(failure, "NoSuchBucket", "bucket");
    }

    /**
     * A storm longer than the job takes to start and answer without it, so that nothing may get
     * through it; each call retried at most {@link #STORM_RETRY_MAX_DELAY} apart, so that the job
     * drains soon after it.
     */
    @Test
    void aStormOfThrottlingOrUnavailabilitySlowsTheJobAndEveryElementSucceeds() throws Exception {
        Duration storm = Duration.ofSeconds(8);
        register("storm-429", FaultInjection.NONE);
        register("storm-503", FaultInjection.NONE);
        List<String> throttled = elements("storm-429", 300);
        List<String> unavailable = elements("storm-503", 300);

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> first =
                inference("storm-429")
                        .uidPrefix("storm-429")
                        .set(SubmitOptions.RETRY_MAX_DELAY, STORM_RETRY_MAX_DELAY)
                        .build()
                        .apply(env.fromData(Types.STRING, throttled.toArray(new String[0])))
                        .collectAsync();
        CloseableIterator<InferenceResult<String>> second =
                inference("storm-503")
                        .uidPrefix("storm-503")
                        .set(SubmitOptions.RETRY_MAX_DELAY, STORM_RETRY_MAX_DELAY)
                        .build()
                        .apply(env.fromData(Types.STRING, unavailable.toArray(new String[0])))
                        .collectAsync();
        // Taken before the storm starts, so the watch below ends before the storm does.
        long stormEnds = System.nanoTime() + storm.toNanos();
        LOCAL.local()
                .setFaultsFor(
                        "storm-429",
                        FaultInjection.builder().throttledFraction(1.0).build(),
                        storm);
        LOCAL.local()
                .setFaultsFor(
                        "storm-503",
                        FaultInjection.builder().serviceUnavailableFraction(1.0).build(),
                        storm);
        JobClient job = env.executeAsync("storms");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        long lowestLimit = Long.MAX_VALUE;
        List<InferenceResult<String>> results = new ArrayList<>();
        try (ResultCollector<String> a = new ResultCollector<>(first);
                ResultCollector<String> b = new ResultCollector<>(second)) {
            // Without the storm, results come within a few seconds of the start: this fails.
            while (System.nanoTime() < stormEnds) {
                for (long limit : metrics.gauges("sagemakerAsync.inFlightLimit")) {
                    lowestLimit = Math.min(lowestLimit, limit);
                }
                assertThat(a.size() + b.size()).as("nothing gets through the storm").isZero();
                Thread.sleep(200);
            }
            results.addAll(a.awaitKeys(throttled, InferenceResult::inferenceId, STALL));
            results.addAll(b.awaitKeys(unavailable, InferenceResult::inferenceId, STALL));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results)
                .hasSize(600)
                .allSatisfy(
                        r ->
                                assertThat(r.status())
                                        .as("%s", r)
                                        .isEqualTo(
                                                r.inferenceId().endsWith("0")
                                                        ? InferenceStatus.MODEL_ERROR
                                                        : InferenceStatus.SUCCESS));
        assertThat(LOCAL.counters().rejections(Rejection.THROTTLED)).isPositive();
        assertThat(LOCAL.counters().rejections(Rejection.SERVICE_UNAVAILABLE)).isPositive();
        int capacity = SubmitOptions.CAPACITY.defaultValue();
        assertThat(lowestLimit).as("calls in flight cut during the storm").isLessThan(capacity / 4);
        assertThat(metrics.gauges("sagemakerAsync.inFlightLimit"))
                .as("and grown back once calls succeed")
                .allSatisfy(limit -> assertThat(limit).isGreaterThan(capacity / 2L));
        for (String endpoint : List.of("storm-429", "storm-503")) {
            assertThat(
                            metrics.ofOperator("SageMaker async submit: " + endpoint)
                                    .counterSum("sagemakerAsync.throttled"))
                    .as("%s throttled", endpoint)
                    .isPositive();
        }
        assertThat(metrics.counterSum("sagemakerAsync.resultsRejected")).isZero();
    }

    /** For tests that wait for what a listing would find, or that nothing more comes. */
    private static final Duration QUICK_DISCOVERY = Duration.ofMillis(200);

    /** Short, so that the storm's calls go out again soon after it ends (default: 20 s). */
    private static final Duration STORM_RETRY_MAX_DELAY = Duration.ofMillis(500);

    @Test
    void anUnreadableObjectIsTheResultOfItsOwnerOnlyAndTheJobGoesOn() throws Exception {
        String endpoint = "unreadable";
        register(endpoint, FaultInjection.NONE);
        List<String> elements = elements(endpoint, 50);
        String layout = endpoint + "/output/flat/";
        String owned = layout + OutputFilenames.of(endpoint + "-7");
        String foreign = layout + "foreign.out";
        LOCAL.local().s3Faults().deny(LOCAL.bucket(), owned, S3Operation.GET);
        LOCAL.local().s3Faults().deny(LOCAL.bucket(), foreign, S3Operation.GET);
        LOCAL.putObjects(Map.of(foreign, "another job's result"));

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .set(SubmitOptions.OUTPUT_PATH_EXTENSION, "flat")
                        .set(WatchOptions.START_FROM, WatchOptions.StartFrom.EARLIEST)
                        .set(WatchOptions.DISCOVERY_INTERVAL, QUICK_DISCOVERY)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        JobClient job = env.executeAsync("unreadable");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
            // A second result of an element, or one of the foreign object: five listings more.
            results = collector.andNothingMoreFor(QUICK_DISCOVERY.multipliedBy(5));
            assertThat(job.getJobStatus().get())
                    .as("the job went on, not failed")
                    .isIn(JobStatus.RUNNING, JobStatus.FINISHED);
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results).hasSize(50);
        for (InferenceResult<String> result : results) {
            if (result.inferenceId().equals(endpoint + "-7")) {
                assertThat(result.status()).isEqualTo(InferenceStatus.UNREADABLE);
                assertThat(result.resultLocation())
                        .isEqualTo("s3://" + LOCAL.bucket() + "/" + owned);
                assertThat(result.errorMessage()).contains(owned).contains("AccessDenied");
            } else {
                assertThat(result.status())
                        .as("%s", result)
                        .isEqualTo(
                                result.inferenceId().endsWith("0")
                                        ? InferenceStatus.MODEL_ERROR
                                        : InferenceStatus.SUCCESS);
            }
        }
        assertThat(metrics.counterSum("sagemakerAsync.objectsUnreadable"))
                .as("the owned and the foreign object, each once")
                .isEqualTo(2);
    }

    @Test
    void anEndpointWithoutAFailurePathAnswersEveryElementWithoutHoldingItsSlot() throws Exception {
        String endpoint = "no-failure-path";
        // Not LOCAL.endpointConfig: it would set a failure path.
        LOCAL.local()
                .registerEndpoint(
                        LocalEndpointConfig.builder(endpoint)
                                .s3OutputPath(LOCAL.prefix(endpoint, "output"))
                                .model(new DigestModel())
                                .build());
        List<String> elements = elements(endpoint, 60);
        // Longer than a success takes at the quick discovery interval, so that one answered
        // only at its deadline fails the latency check below.
        Duration resultTimeout = Duration.ofSeconds(4);

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                SageMakerAsyncInference.<String>builder()
                        .setAll(LOCAL.awsConfig())
                        .endpointName(endpoint)
                        .outputPath(LOCAL.prefix(endpoint, "output"))
                        .serializer(element -> SerializedRequest.of(payload(element)))
                        .inferenceIdExtractor(element -> element)
                        .set(SubmitOptions.RESULT_TIMEOUT, resultTimeout)
                        .set(WatchOptions.DISCOVERY_INTERVAL, QUICK_DISCOVERY)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        JobClient job = env.executeAsync("no failure path");
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            results = collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results).hasSize(60);
        for (InferenceResult<String> result : results) {
            if (result.inferenceId().endsWith("0")) {
                // The service wrote the failure where this job cannot tell whose it is.
                assertThat(result.status()).isEqualTo(InferenceStatus.TIMED_OUT);
                assertThat(result.errorMessage()).doesNotContain("nor at");
            } else {
                assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
                assertThat(result.latencyMillis())
                        .as("answered at once, not after the submit timeout")
                        .isLessThan(resultTimeout.toMillis());
            }
        }
    }

    @Test
    void uploadsAnsweredIncompleteBodyAreSentAgainAndEveryElementSucceeds() throws Exception {
        String endpoint = "incomplete-body";
        register(endpoint, FaultInjection.NONE);
        List<String> elements = elements(endpoint, 200);
        LOCAL.local().s3Faults().incompleteBodyFraction(0.3);

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .serializer(FailurePolicyITCase::alwaysAnswered)
                        // Below every payload (at least 18 bytes): each one is uploaded.
                        .set(SubmitOptions.INLINE_LIMIT, new MemorySize(16))
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        JobClient job = env.executeAsync("incomplete body");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            results = collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results)
                .hasSize(200)
                .allSatisfy(
                        r -> assertThat(r.status()).as("%s", r).isEqualTo(InferenceStatus.SUCCESS));
        assertThat(LOCAL.counters().invocations(InvocationKind.INPUT_LOCATION))
                .as("every payload went through S3")
                .isGreaterThanOrEqualTo(200);
        assertThat(LOCAL.counters().s3Faults(S3Fault.INCOMPLETE_BODY))
                .as("uploads answered IncompleteBody")
                .isPositive();
        assertThat(metrics.counterSum("sagemakerAsync.resultsRejected")).isZero();
    }

    @Test
    void callsBeyondTheHttpConnectionsThatOutlastTheAcquireTimeoutAreNeverRejected()
            throws Exception {
        String endpoint = "few-connections";
        register(endpoint, FaultInjection.NONE);
        // Keyed by ID, they split 57/43 between the subtasks: each has all of its in flight at
        // once (capacity 64), so none waits 12 s for a free slot.
        List<String> elements = elements(endpoint, 100);
        int connections = 4;
        // Longer than Netty's 10 s connection-acquire timeout: a call left waiting for one of
        // the 4 connections while they serve others would time out.
        Duration slowRoundTrip = Duration.ofSeconds(12);

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .serializer(FailurePolicyITCase::alwaysAnswered)
                        .set(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY, connections)
                        .set(SubmitOptions.CAPACITY, 64)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        // SageMaker calls only: the listings and reads that find the results stay fast.
        LOCAL.local().setSageMakerNetworkDelay(slowRoundTrip);
        JobClient job = env.executeAsync("few connections");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        long firstWave;
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (LOCAL.counters().invocations(InvocationKind.INLINE) == 0) {
                assertThat(System.nanoTime())
                        .as("an invocation accepted within 45 s of the start")
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
            Thread.sleep(2_000);
            firstWave = LOCAL.counters().invocations(InvocationKind.INLINE);
            results = collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results)
                .hasSize(100)
                .allSatisfy(
                        r -> assertThat(r.status()).as("%s", r).isEqualTo(InferenceStatus.SUCCESS));
        assertThat(metrics.counterSum("sagemakerAsync.resultsRejected")).isZero();
        assertThat(firstWave)
                .as("calls accepted within 2 s of the first, each after %s", slowRoundTrip)
                .isGreaterThan(2L * connections);
    }

    /** Every element answered by {@link #alwaysAnswered}'s payload: SUCCESS with its digest. */
    private static void assertAnswered(List<InferenceResult<String>> results, int count) {
        assertThat(results)
                .hasSize(count)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).as("%s", r).isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(r.output())
                                    .isEqualTo(
                                            DigestModel.digest(
                                                    ("p" + r.inferenceId())
                                                            .getBytes(StandardCharsets.UTF_8)));
                        });
    }

    /**
     * Answers every call as SageMaker answers a role without {@code sagemaker:InvokeEndpointAsync}:
     * the local endpoint has no IAM.
     */
    private static HttpServer denyingSageMaker(String endpoint) throws IOException {
        byte[] denial =
                ("{\"message\":\"User: arn:aws:sts::123456789012:assumed-role/flink-job/task is"
                                + " not authorized to perform: sagemaker:InvokeEndpointAsync on"
                                + " resource: arn:aws:sagemaker:us-east-1:123456789012:endpoint/"
                                + endpoint
                                + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/",
                exchange -> {
                    try (exchange) {
                        exchange.getRequestBody().readAllBytes();
                        exchange.getResponseHeaders().set("Content-Type", "application/json");
                        exchange.getResponseHeaders()
                                .set("x-amzn-ErrorType", "AccessDeniedException");
                        exchange.sendResponseHeaders(400, denial.length);
                        exchange.getResponseBody().write(denial);
                    }
                });
        server.start();
        return server;
    }

    @Test
    void accessDeniedOnTheInvokeFailsTheJobNamingTheEndpointAndThePermission() throws Exception {
        String endpoint = "denied-invoke";
        HttpServer sageMaker = denyingSageMaker(endpoint);
        try {
            Failure failure =
                    runUntilItFails(
                            inference(endpoint)
                                    .set(
                                            AwsConfigOptions.AWS_ENDPOINT,
                                            "http://127.0.0.1:" + sageMaker.getAddress().getPort())
                                    .build(),
                            elements(endpoint, 200));
            assertFatal(
                    failure,
                    "InvokeEndpointAsync on endpoint '" + endpoint + "'",
                    "AccessDeniedException",
                    "sagemaker:InvokeEndpointAsync",
                    "Grant the job's role");
        } finally {
            sageMaker.stop(0);
        }
    }

    @Test
    void accessDeniedOnTheUploadFailsTheJobNamingTheInputPrefixAndThePermission() throws Exception {
        String endpoint = "denied-upload";
        register(endpoint, FaultInjection.NONE);
        LOCAL.local().s3Faults().deny(LOCAL.bucket(), endpoint + "/input", S3Operation.PUT);
        Failure failure =
                runUntilItFails(
                        inference(endpoint)
                                .set(SubmitOptions.INLINE_LIMIT, new MemorySize(0))
                                .build(),
                        elements(endpoint, 200));
        assertFatal(
                failure,
                "Uploading a payload to " + LOCAL.prefix(endpoint, "input"),
                "s3:PutObject",
                "sagemaker.s3.input-prefix",
                "AccessDenied");
    }

    @Test
    void aWrongRegionFailsTheJobNamingIt() throws Exception {
        String endpoint = "wrong-region";
        register(endpoint, FaultInjection.NONE);
        Failure failure =
                runUntilItFails(
                        inference(endpoint).region("eu-west-1").build(), elements(endpoint, 200));
        assertFatal(failure, "eu-west-1", "region");
    }

    @Test
    void aQueueThatDoesNotExistFailsTheJobNamingTheQueueOption() throws Exception {
        String endpoint = "missing-queue";
        register(endpoint, FaultInjection.NONE);
        String existing = LOCAL.local().createQueue(endpoint + "-existing");
        String missing = existing.substring(0, existing.lastIndexOf('/') + 1) + "never-created";
        Failure failure =
                runUntilItFails(
                        inference(endpoint).sqsCompletion(missing).build(),
                        elements(endpoint, 200));
        assertFatal(failure, missing, "sagemaker.completion.sqs.queue-url");
    }

    @Test
    void s3AnsweringSlowDownToAThirdOfRequestsSlowsTheJobAndEveryElementSucceeds()
            throws Exception {
        String endpoint = "s3-slow-down";
        register(endpoint, FaultInjection.NONE);
        List<String> elements = elements(endpoint, 60);

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .serializer(FailurePolicyITCase::alwaysAnswered)
                        // Every payload is uploaded: uploads, listings and reads all meet it.
                        .set(SubmitOptions.INLINE_LIMIT, new MemorySize(0))
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        LOCAL.local().s3Faults().slowDownFraction(0.3);
        JobClient job = env.executeAsync("s3 slow down");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            results = collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
        } finally {
            LOCAL.local().s3Faults().slowDownFraction(0);
            Jobs.cancelUnlessEnded(job);
        }

        assertAnswered(results, 60);
        assertThat(LOCAL.counters().s3Faults(S3Fault.SLOW_DOWN)).isPositive();
        assertThat(metrics.counterSum("sagemakerAsync.resultsRejected")).isZero();
    }

    private static void registerWithNotifications(
            String endpoint, String queue, boolean includeResponse) {
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .model(new DigestModel())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(queue)
                                                .errorQueue(queue)
                                                .includeInferenceResponse(includeResponse)
                                                .build())
                                .build());
    }

    @Test
    void aNotificationWhoseOutputCannotBeReadYetComesBackAfterItsVisibilityTimeoutAndAnswers()
            throws Exception {
        String endpoint = "unread-notification";
        String queueUrl = LOCAL.local().createQueue(endpoint);
        // Notifications name their output without including it: the job reads it from S3.
        registerWithNotifications(endpoint, endpoint, false);
        List<String> elements = elements(endpoint, 10);

        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .serializer(FailurePolicyITCase::alwaysAnswered)
                        .sqsCompletion(queueUrl)
                        .set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(2))
                        .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1))
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        LOCAL.local().s3Faults().slowDownFraction(1.0);
        JobClient job = env.executeAsync("unread notification");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            long until = System.nanoTime() + STALL.toNanos();
            while (metrics.counterSum("sagemakerAsync.responseReadRetries") == 0) {
                assertThat(System.nanoTime())
                        .as("a read failed and its notification was left")
                        .isLessThan(until);
                Thread.sleep(50);
            }
            LOCAL.local().s3Faults().slowDownFraction(0);
            collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
            results = collector.andNothingMoreFor(Duration.ofSeconds(1));
        } finally {
            LOCAL.local().s3Faults().slowDownFraction(0);
            Jobs.cancelUnlessEnded(job);
        }

        assertAnswered(results, 10);
        assertThat(metrics.counterSum("sagemakerAsync.sqsMessagesReceived"))
                .as("the notifications left came back after their visibility timeout")
                .isGreaterThan(10);
    }
}
