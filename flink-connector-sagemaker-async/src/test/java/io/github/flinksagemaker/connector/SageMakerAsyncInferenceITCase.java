package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.CollectingSink;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.Jobs;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.OpenEndedSource;
import io.github.flinksagemaker.connector.testutils.OutputFilenames;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.Rejection;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.LocalCounters.SqsOperation;
import io.github.flinksagemaker.local.LocalNotifications;
import io.github.flinksagemaker.local.OutputNaming;
import io.github.flinksagemaker.local.model.EchoModel;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-call API end to end on a MiniCluster with checkpointing, against the local SageMaker
 * async endpoint and in-process S3 through the real AWS SDK: exactly one correct result per element
 * through throttling, 5xx, model errors, a TaskManager outage longer than the retentions and some
 * deadlines, timeouts, and downtime between a savepoint and its restore.
 */
class SageMakerAsyncInferenceITCase {
    private static final int SLOTS = 4;

    /** Nothing new for this long means results were lost: the test says which. */
    private static final Duration STALL = Duration.ofSeconds(60);

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    /** One cluster per test: a killed TaskManager is always the one running the job. */
    private MiniCluster cluster;

    /** A reporter per cluster: closing a cluster closes its reporter. */
    private InMemoryReporter reporter;

    @BeforeEach
    void startCluster() throws Exception {
        reporter = InMemoryReporter.createWithRetainedMetrics();
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(SLOTS)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 2);
    }

    @AfterEach
    void stopCluster() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        cluster.close();
    }

    /** Element "id:size"; its payload starts with 'E' (a model error) for every 50th id. */
    static byte[] payload(String element) {
        String[] parts = element.split(":");
        int id = Integer.parseInt(parts[0]);
        byte[] bytes = new byte[Integer.parseInt(parts[1])];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + (id * 31 + i) % 26);
        }
        bytes[0] = (byte) (id % 50 == 0 ? 'E' : 'p');
        return bytes;
    }

    static List<String> elements(int count, long seed) {
        Random random = new Random(seed);
        List<String> elements = new ArrayList<>();
        for (int id = 0; id < count; id++) {
            int size;
            if (id == 1) {
                size = 127_999;
            } else if (id == 2) {
                size = 128_000;
            } else if (id == 3) {
                size = 128_001;
            } else if (id == 4) {
                size = 1;
            } else if (id == 5) {
                size = 1_000_000;
            } else if (id % 100 == 7) {
                size = 128_001 + random.nextInt(1_000_000 - 128_001);
            } else {
                size = 1 + random.nextInt(4_096);
            }
            elements.add(id + ":" + size);
        }
        return elements;
    }

    /**
     * The inference ID of an element in the pipeline of {@code endpoint}: each test (and each
     * pipeline of a test) has an endpoint of its own, so its IDs and their counts in {@link
     * #invocationsOf} are its own too, whatever ran before it.
     */
    static String idOf(String endpoint, String element) {
        return endpoint + "-" + element.split(":")[0];
    }

    static List<String> idsOf(String endpoint, List<String> elements) {
        return elements.stream().map(element -> idOf(endpoint, element)).toList();
    }

    /** Accepted invocations of the IDs of {@code endpoint}'s pipeline, by ID. */
    private static Map<String, Long> invocationsOf(String endpoint) {
        Map<String, Long> own = new HashMap<>();
        LOCAL.counters()
                .invocationsById()
                .forEach(
                        (id, count) -> {
                            if (id.startsWith(endpoint + "-")
                                    && id.substring(endpoint.length() + 1)
                                            .chars()
                                            .allMatch(Character::isDigit)) {
                                own.put(id, count);
                            }
                        });
        return own;
    }

    private static SageMakerAsyncInference.Builder<String, String> inference(String endpoint) {
        return SageMakerAsyncInference.<String>builder()
                .setAll(LOCAL.awsConfig())
                .endpointName(endpoint)
                .outputPath(LOCAL.prefix(endpoint, "output"))
                .failurePath(LOCAL.prefix(endpoint, "failure"))
                .s3InputPrefix(LOCAL.prefix(endpoint, "input"))
                .serializer(element -> SerializedRequest.of(payload(element)))
                .inferenceIdExtractor(element -> idOf(endpoint, element))
                .set(SubmitOptions.OUTPUT_PATH_EXTENSION, "{yyyy}/{MM}/{dd}/{HH}")
                .set(SubmitOptions.CAPACITY, 64)
                .set(SubmitOptions.RETRY_BASE_DELAY, Duration.ofMillis(5))
                .set(SubmitOptions.RETRY_MAX_DELAY, Duration.ofMillis(100))
                .set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(200));
    }

    private static void register(String endpoint, OutputNaming naming, FaultInjection faults) {
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .maxConcurrentInvocations(256)
                                .outputNaming(naming)
                                .model(new DigestModel())
                                .faults(faults)
                                .build());
    }

    static StreamExecutionEnvironment environment(Configuration extra) {
        Configuration config = new Configuration(extra);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    /** How the output objects get their names. */
    enum Naming {
        /** The connector sends a Filename derived from the ID: the production default. */
        FILENAME_FROM_ID,
        /** No Filename; the endpoint names outputs with a random UUID (observed on AWS). */
        ENDPOINT_RANDOM,
        /** No Filename; the endpoint names outputs after the inference ID. */
        ENDPOINT_INFERENCE_ID;

        String endpoint() {
            return "e2e-" + name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * The three ways outputs get their names, each a pipeline (endpoint, uid prefix and IDs of its
     * own) in one job through one TaskManager outage.
     */
    @Test
    void
            everyElementGetsExactlyOneCorrectResultThroughFaultsAndATaskManagerOutageWhateverTheNaming()
                    throws Exception {
        List<OutagePipeline> pipelines = new ArrayList<>();
        for (Naming naming : Naming.values()) {
            String endpoint = naming.endpoint();
            register(
                    endpoint,
                    naming == Naming.ENDPOINT_INFERENCE_ID
                            ? OutputNaming.INFERENCE_ID
                            : OutputNaming.RANDOM,
                    FaultInjection.builder()
                            .latency(Duration.ofMillis(5), Duration.ofMillis(300))
                            .throttledFraction(0.1)
                            .serviceUnavailableFraction(0.03)
                            .internalFailureFraction(0.02)
                            .build());
            // The outage outlasts the unmatched-output retention and the deadlines of everything
            // submitted in the last seconds before it: those answers are found at restore.
            pipelines.add(
                    new OutagePipeline(
                            endpoint,
                            outageTimeouts(inference(endpoint))
                                    .set(
                                            SubmitOptions.OUTPUT_FILENAME,
                                            naming == Naming.FILENAME_FROM_ID)
                                    .uidPrefix("naming-" + endpoint)
                                    .build(),
                            elements(NAMING_ELEMENTS, naming.ordinal())));
        }
        OutageRun run = runThroughATaskManagerOutage(pipelines, "e2e naming", QUIET);

        for (Naming naming : Naming.values()) {
            String endpoint = naming.endpoint();
            Map<String, InferenceResult<String>> byId =
                    assertExactlyOneCorrectResultEach(
                            endpoint,
                            run.results().get(endpoint),
                            pipelines.get(naming.ordinal()).elements());
            String id = endpoint + "-4";
            String location = byId.get(id).resultLocation();
            switch (naming) {
                case FILENAME_FROM_ID ->
                        assertThat(location).endsWith("/" + OutputFilenames.of(id));
                case ENDPOINT_INFERENCE_ID -> assertThat(location).endsWith("/" + id + ".out");
                default -> assertThat(location).doesNotContain(id);
            }
            JobMetrics submit = run.metrics().ofOperator("SageMaker async submit: " + endpoint);
            assertThat(submit.counterSum("sagemakerAsync.throttled"))
                    .as("%s met throttling in this run", endpoint)
                    .isPositive();
            assertThat(submit.counterSum("sagemakerAsync.retries"))
                    .as("%s retried in this run", endpoint)
                    .isPositive();
        }
        Map<Rejection, Long> rejected = rejections();
        assertThat(rejected.get(Rejection.THROTTLED)).as("%s", rejected).isPositive();
        assertThat(rejected.get(Rejection.SERVICE_UNAVAILABLE)).as("%s", rejected).isPositive();
        assertThat(rejected.get(Rejection.INTERNAL_FAILURE)).as("%s", rejected).isPositive();
        JobMetrics metrics = run.metrics();
        assertThat(metrics.counterSum("sagemakerAsync.staleOutputsDropped")).isZero();
        assertThat(metrics.counterSum("sagemakerAsync.duplicateIdsRejected"))
                .as("neither the guard nor the join saw an ID twice across the restarts")
                .isZero();
        assertThat(metrics.counterSum("sagemakerAsync.resultsRejected")).isZero();
        assertThat(metrics.counterSum("sagemakerAsync.resultsTimedOut")).isZero();
    }

    /** Elements per naming mode; ids 1 to 5 cover the inline limit, 0, 50, ... model errors. */
    private static final int NAMING_ELEMENTS = 1_200;

    /** Elements of the notification run. */
    private static final int SQS_ELEMENTS = 1_500;

    /**
     * The outage runs' timeouts, in the order they must keep: the submit timeout, plus the 5 s
     * margin the builder demands, gives the unmatched-output retention; the result timeout exceeds
     * it; the outage exceeds both, so held objects expire and deadlines pass during it. The submit
     * timeout covers waiting for a call slot under throttling while the restored job catches up: at
     * 4 s, a call answered 500 (maybe accepted) and then throttled until it gave up became an
     * unconfirmed submission that TIMED_OUT.
     */
    private static final Duration OUTAGE_TEST_SUBMIT_TIMEOUT = Duration.ofSeconds(8);

    private static final Duration OUTAGE_TEST_UNMATCHED_RETENTION = Duration.ofSeconds(13);

    private static final Duration OUTAGE_TEST_RESULT_TIMEOUT = Duration.ofSeconds(14);

    private static final Duration OUTAGE = OUTAGE_TEST_RESULT_TIMEOUT.plusSeconds(2);

    /**
     * How long to watch for a duplicate after the last expected result: five listings at the 200 ms
     * discovery interval.
     */
    private static final Duration QUIET = Duration.ofSeconds(1);

    private static SageMakerAsyncInference.Builder<String, String> outageTimeouts(
            SageMakerAsyncInference.Builder<String, String> builder) {
        return builder.set(SubmitOptions.RESULT_TIMEOUT, OUTAGE_TEST_RESULT_TIMEOUT)
                .set(SubmitOptions.SUBMIT_TIMEOUT, OUTAGE_TEST_SUBMIT_TIMEOUT)
                .set(JoinOptions.UNMATCHED_OUTPUT_RETENTION, OUTAGE_TEST_UNMATCHED_RETENTION);
    }

    /** One pipeline of an outage run: its elements' IDs are {@code endpoint + "-" + number}. */
    private record OutagePipeline(
            String endpoint,
            SageMakerAsyncInference<String, String> inference,
            List<String> elements) {}

    /** What an outage run saw: its job's metrics and each pipeline's results, by endpoint. */
    private record OutageRun(
            JobMetrics metrics, Map<String, List<InferenceResult<String>>> results) {}

    /**
     * Runs the pipelines in one job, kills the TaskManager for {@link #OUTAGE} once one of them has
     * a third of its elements submitted, and reads on until every element has a result and nothing
     * more comes for {@code quiet}.
     */
    private OutageRun runThroughATaskManagerOutage(
            List<OutagePipeline> pipelines, String name, Duration quiet) throws Exception {
        StreamExecutionEnvironment env = environment(new Configuration());
        List<CloseableIterator<InferenceResult<String>>> iterators = new ArrayList<>();
        for (OutagePipeline pipeline : pipelines) {
            iterators.add(
                    pipeline.inference()
                            .apply(
                                    env.fromData(
                                            Types.STRING,
                                            pipeline.elements().toArray(new String[0])))
                            .collectAsync());
        }
        JobClient job = env.executeAsync(name);
        List<ResultCollector<String>> collectors = new ArrayList<>();
        iterators.forEach(iterator -> collectors.add(new ResultCollector<>(iterator)));
        JobMetrics metrics = new JobMetrics(reporter, job.getJobID());
        Map<String, List<InferenceResult<String>>> results = new HashMap<>();
        try {
            // Pipelines progress unevenly: the first to have a third of its elements submitted
            // sets the outage, so that it hits every pipeline with results still to come. Counted
            // at the endpoint, not by the collectors: they may lag so far behind on two busy
            // cores that the job has already finished when they have a third.
            long until = System.nanoTime() + STALL.toNanos();
            while (!somePipelineSubmittedAThird(pipelines)) {
                assertThat(System.nanoTime())
                        .as(
                                "a third of the results of a pipeline in time; got %s, %s",
                                sizes(pipelines, collectors), LOCAL.counters())
                        .isLessThan(until);
                Thread.sleep(20);
            }
            cluster.terminateTaskManager(0).get();
            for (OutagePipeline pipeline : pipelines) {
                // Fails if a pipeline had not started when the outage came: it would prove little.
                assertThat(invocationsOf(pipeline.endpoint()))
                        .as("%s submitted before the outage", pipeline.endpoint())
                        .isNotEmpty();
            }
            Thread.sleep(OUTAGE.toMillis()); // the outage itself, not a wait for readiness
            cluster.startTaskManager();

            for (int i = 0; i < pipelines.size(); i++) {
                OutagePipeline pipeline = pipelines.get(i);
                collectors
                        .get(i)
                        .awaitKeys(
                                idsOf(pipeline.endpoint(), pipeline.elements()),
                                InferenceResult::inferenceId,
                                STALL);
            }
            // A duplicate would come right after the last expected result: keep watching.
            Thread.sleep(quiet.toMillis());
            for (int i = 0; i < pipelines.size(); i++) {
                results.put(pipelines.get(i).endpoint(), collectors.get(i).results());
            }
            assertThat(latestAttempt(job)).as("the job really restarted").isPositive();
        } finally {
            Jobs.cancelUnlessEnded(job);
            for (ResultCollector<String> collector : collectors) {
                collector.close();
            }
        }
        return new OutageRun(metrics, results);
    }

    private static boolean somePipelineSubmittedAThird(List<OutagePipeline> pipelines) {
        for (OutagePipeline pipeline : pipelines) {
            if (invocationsOf(pipeline.endpoint()).size() >= pipeline.elements().size() / 3) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Integer> sizes(
            List<OutagePipeline> pipelines, List<ResultCollector<String>> collectors) {
        Map<String, Integer> sizes = new HashMap<>();
        for (int i = 0; i < pipelines.size(); i++) {
            sizes.put(pipelines.get(i).endpoint(), collectors.get(i).size());
        }
        return sizes;
    }

    /** The endpoint's synchronous rejections in this test so far, by reason. */
    private static Map<Rejection, Long> rejections() {
        Map<Rejection, Long> counts = new EnumMap<>(Rejection.class);
        for (Rejection reason : Rejection.values()) {
            counts.put(reason, LOCAL.counters().rejections(reason));
        }
        return counts;
    }

    /** Checks one pipeline's results of an outage run: one per element, each the right one. */
    private static Map<String, InferenceResult<String>> assertExactlyOneCorrectResultEach(
            String endpoint, List<InferenceResult<String>> all, List<String> elements)
            throws Exception {
        assertThat(all)
                .as("%s: one result per element, no duplicates", endpoint)
                .hasSize(elements.size());
        Map<String, InferenceResult<String>> byId =
                all.stream()
                        .collect(
                                Collectors.toMap(
                                        InferenceResult::inferenceId, Function.identity()));
        for (String element : elements) {
            InferenceResult<String> result = byId.get(idOf(endpoint, element));
            int id = Integer.parseInt(element.split(":")[0]);
            int size = Integer.parseInt(element.split(":")[1]);
            assertThat(result).as("result of %s", idOf(endpoint, element)).isNotNull();
            assertThat(result.element()).isEqualTo(element);
            assertThat(result.path())
                    .as("path of %s", element)
                    .isEqualTo(size <= 128_000 ? SubmitPath.INLINE : SubmitPath.S3);
            if (id % 50 == 0) {
                assertThat(result.status())
                        .as("status of %s: %s", element, result)
                        .isEqualTo(InferenceStatus.MODEL_ERROR);
                assertThat(result.errorMessage())
                        .isEqualTo("model refused payload of " + size + " bytes");
            } else {
                assertThat(result.status())
                        .as("status of %s: %s", element, result)
                        .isEqualTo(InferenceStatus.SUCCESS);
                assertThat(result.output()).isEqualTo(DigestModel.digest(payload(element)));
            }
        }
        return byId;
    }

    /**
     * Completion by notification: SNS envelopes through SQS, one in ten delivered twice, one in
     * fifty never (found by the look at the deadline), and a TaskManager outage that leaves
     * received but undeleted messages to come back after their visibility timeout.
     */
    @Test
    void everyElementGetsExactlyOneCorrectResultFromDuplicatedAndLostNotificationsAndAnOutage()
            throws Exception {
        String endpoint = "e2e-sqs";
        String queue = endpoint + "-notifications";
        String queueUrl = LOCAL.local().createQueue(queue);
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .maxConcurrentInvocations(256)
                                .model(new DigestModel())
                                .faults(
                                        FaultInjection.builder()
                                                .latency(
                                                        Duration.ofMillis(5),
                                                        Duration.ofMillis(300))
                                                .throttledFraction(0.1)
                                                .serviceUnavailableFraction(0.03)
                                                .build())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(queue)
                                                .errorQueue(queue)
                                                .rawDelivery(false)
                                                .duplicateFraction(0.1)
                                                .dropFraction(0.02)
                                                .delay(Duration.ZERO, Duration.ofMillis(200))
                                                .build())
                                .build());
        List<String> elements = elements(SQS_ELEMENTS, 11);
        Duration waitTime = Duration.ofSeconds(1);
        SageMakerAsyncInference<String, String> inference =
                outageTimeouts(inference(endpoint))
                        .sqsCompletion(queueUrl)
                        .set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(5))
                        .set(CompletionOptions.SQS_WAIT_TIME, waitTime)
                        .build();

        // A duplicate comes with a receive: one long poll more than a listing's quiet period.
        OutageRun run =
                runThroughATaskManagerOutage(
                        List.of(new OutagePipeline(endpoint, inference, elements)),
                        "e2e sqs",
                        QUIET.plus(waitTime));

        assertExactlyOneCorrectResultEach(endpoint, run.results().get(endpoint), elements);
        assertThat(LOCAL.counters().notificationsDuplicated())
                .as("notifications delivered twice in this run")
                .isPositive();
        assertThat(LOCAL.counters().notificationsDropped())
                .as("notifications lost in this run")
                .isPositive();
        Map<Rejection, Long> rejected = rejections();
        assertThat(rejected.get(Rejection.THROTTLED)).as("%s", rejected).isPositive();
        assertThat(rejected.get(Rejection.SERVICE_UNAVAILABLE)).as("%s", rejected).isPositive();
        JobMetrics metrics = run.metrics();
        assertThat(metrics.counterSum("sagemakerAsync.resultsFoundAtDeadline"))
                .as("lost notifications answered by the look at the deadline")
                .isPositive();
        assertThat(metrics.counterSum("sagemakerAsync.sqsMessagesDeleted")).isPositive();
        assertThat(metrics.counterSum("sagemakerAsync.sqsUnparseableMessages")).isZero();
        assertThat(metrics.counterSum("sagemakerAsync.duplicateIdsRejected")).isZero();
        assertThat(metrics.counterSum("sagemakerAsync.resultsTimedOut")).isZero();
        assertThat(LOCAL.counters().s3Requests(S3Operation.LIST))
                .as("no listing: only the exact-key looks (one LIST per location)")
                .isLessThanOrEqualTo(
                        2
                                        * (metrics.counterSum("sagemakerAsync.deadlineChecks")
                                                + metrics.counterSum("sagemakerAsync.restoredLooks")
                                                + metrics.counterSum("sagemakerAsync.drainLooks"))
                                + 10);
    }

    /**
     * Checkpointing enabled after {@code apply()}, as a user who configures the environment last
     * would: the readers find it in the running job's configuration and hold every message for the
     * checkpoint covering it. Decided when apply() ran, they would delete each message as emitted,
     * and a restore to the last checkpoint would find the results gone. The first checkpoint is an
     * hour away (the minimum pause pins it), so none completes here and nothing may be deleted.
     */
    @Test
    void checkpointingEnabledAfterApplyHoldsEveryMessageForItsCheckpoint() throws Exception {
        String endpoint = "late-checkpointing";
        String queue = endpoint + "-notifications";
        String queueUrl = LOCAL.local().createQueue(queue);
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .model(new DigestModel())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(queue)
                                                .errorQueue(queue)
                                                .build())
                                .build());
        List<String> elements = new ArrayList<>();
        for (int id = 1; id <= 20; id++) {
            elements.add(id + ":100");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<InferenceResult<String>> sink = new CollectingSink<>("late-checkpointing");
        inference(endpoint)
                .sqsCompletion(queueUrl)
                .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1))
                .build()
                .apply(openEnded(env, elements))
                .sinkTo(sink);
        env.enableCheckpointing(Duration.ofHours(1).toMillis());
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Duration.ofHours(1).toMillis());

        JobClient job = env.executeAsync("checkpointing enabled after apply()");
        JobMetrics metrics = new JobMetrics(reporter, job.getJobID());
        long held;
        try {
            awaitCollected(sink, elements.size());
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            do {
                Thread.sleep(100);
                held =
                        metrics.gauges("sagemakerAsync.sqsMessagesHeld").stream()
                                .mapToLong(Long::longValue)
                                .sum();
            } while (held < elements.size() && System.nanoTime() < until);
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(sink.collected())
                .extracting(InferenceResult::status)
                .containsOnly(InferenceStatus.SUCCESS)
                .hasSize(elements.size());
        assertThat(held).as("every message held for a checkpoint").isEqualTo(elements.size());
        assertThat(sqsDeletes()).as("nothing deleted before a checkpoint").isZero();
    }

    /** {@code elements}, then an input that stays open: the job keeps running after them. */
    private static DataStream<String> openEnded(
            StreamExecutionEnvironment env, List<String> elements) {
        return env.fromSource(
                        OpenEndedSource.of(elements),
                        WatermarkStrategy.noWatermarks(),
                        "elements",
                        Types.STRING)
                .setParallelism(1);
    }

    private static long sqsDeletes() {
        return LOCAL.counters().sqsRequests(SqsOperation.DELETE_MESSAGE)
                + LOCAL.counters().sqsRequests(SqsOperation.DELETE_MESSAGE_BATCH);
    }

    /**
     * The highest attempt number of any of the job's subtasks: positive once a task was deployed
     * again. The job's numRestarts gauge, read after the job ended, once said 0 in a run whose
     * results had all come after the TaskManager was gone.
     */
    private int latestAttempt(JobClient job) throws Exception {
        int latest = 0;
        for (AccessExecutionJobVertex vertex :
                cluster.getExecutionGraph(job.getJobID()).get().getVerticesTopologically()) {
            for (AccessExecutionVertex subtask : vertex.getTaskVertices()) {
                latest = Math.max(latest, subtask.getCurrentExecutionAttempt().getAttemptNumber());
            }
        }
        return latest;
    }

    @Test
    void aModelSlowerThanTheDeadlineTimesOutAfterALookAndItsLateOutputIsDropped() throws Exception {
        String endpoint = "slow";
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .model(new EchoModel())
                                .faults(
                                        FaultInjection.builder()
                                                .latency(Duration.ofSeconds(3))
                                                .build())
                                .build());
        StreamExecutionEnvironment env = environment(new Configuration());
        // Deadline 1 s after the submit, output at 3 s, dropped once held for the retention: the
        // shortest the builder allows over a submit timeout that still covers a cold first call.
        SingleOutputStreamOperator<InferenceResult<String>> results =
                inference(endpoint)
                        .set(SubmitOptions.RESULT_TIMEOUT, Duration.ofSeconds(1))
                        .set(SubmitOptions.SUBMIT_TIMEOUT, Duration.ofSeconds(2))
                        .set(JoinOptions.UNMATCHED_OUTPUT_RETENTION, Duration.ofSeconds(7))
                        .build()
                        .apply(openEnded(env, List.of("1:10", "2:20")));
        CollectingSink<InferenceResult<String>> deadLetters = new CollectingSink<>("slow-dead");
        SageMakerAsyncInference.deadLetters(results).sinkTo(deadLetters);
        CloseableIterator<InferenceResult<String>> iterator = results.collectAsync();
        JobClient job = env.executeAsync("timeouts");
        ResultCollector<String> collector = new ResultCollector<>(iterator);
        JobMetrics metrics = new JobMetrics(reporter, job.getJobID());
        List<InferenceResult<String>> all;
        long dropped = 0;
        try (collector) {
            collector.awaitKeys(List.of("slow-1", "slow-2"), InferenceResult::inferenceId, STALL);
            // The outputs land ~2 s after the deadline; nothing claims them any more.
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dropped < 2 && System.nanoTime() < until) {
                Thread.sleep(100);
                // The tagger's: the join counts objects under the same name for other reasons.
                dropped =
                        metrics.ofOperator("Tag results by location: " + endpoint)
                                .counterSum("sagemakerAsync.unmatchedOutputsDropped");
            }
            all = collector.results();
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(dropped).as("late outputs dropped and counted").isEqualTo(2);
        assertThat(metrics.counterSum("sagemakerAsync.deadlineChecks")).isEqualTo(2);
        assertThat(all)
                .hasSize(2)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).isEqualTo(InferenceStatus.TIMED_OUT);
                            assertThat(r.errorMessage())
                                    .contains("nothing at s3://" + LOCAL.bucket() + "/slow/");
                        });
        assertThat(deadLetters.collected())
                .as("the late outputs never became results: only the timeouts are dead letters")
                .hasSize(2)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(InferenceStatus.TIMED_OUT));
    }

    @Test
    void answersThatArriveWhileTheJobIsDownLongerThanTheDeadlineAreFoundAtRestore(
            @TempDir Path savepoints) throws Exception {
        String endpoint = "downtime";
        register(
                endpoint,
                OutputNaming.RANDOM,
                FaultInjection.builder().latency(Duration.ofSeconds(3)).build());
        List<String> elements =
                elements(100, 7).stream().map(e -> e.split(":")[0] + ":64").toList();
        // Longer than the model's 3 s, so only the downtime makes the deadlines pass.
        Duration resultTimeout = Duration.ofSeconds(5);
        CollectingSink<InferenceResult<String>> sink = new CollectingSink<>("downtime-results");

        StreamExecutionEnvironment first = environment(new Configuration());
        inference(endpoint)
                .set(SubmitOptions.RESULT_TIMEOUT, resultTimeout)
                .build()
                .apply(first.fromData(Types.STRING, elements.toArray(new String[0])).name(ELEMENTS))
                .sinkTo(sink)
                .uid("results-sink");
        JobClient job = first.executeAsync("before the downtime");
        JobMetrics firstMetrics = new JobMetrics(reporter, job.getJobID());
        long until = System.nanoTime() + STALL.toNanos();
        while (firstMetrics.gauges("sagemakerAsync.pending").stream()
                        .mapToLong(Long::longValue)
                        .sum()
                < elements.size()) {
            assertThat(System.nanoTime()).as("100 pending in time").isLessThan(until);
            Thread.sleep(20);
        }
        // A savepoint that meets the bounded input, or the submit operator after it, just as it
        // finishes is declined, and the failover after it would repeat results in this sink:
        // stop once both have ended.
        awaitFinished(job, "Source: " + ELEMENTS, "Inference ID guard: " + endpoint);
        String savepoint =
                job.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        assertThat(sink.collected()).as("all 100 pending at the savepoint").isEmpty();

        // Down for longer than every deadline (all were set before the savepoint); the endpoint
        // answers everything meanwhile.
        Thread.sleep(resultTimeout.plusSeconds(1).toMillis());
        assertThat(LOCAL.local().pendingInvocations(endpoint)).isZero();

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = environment(restore);
        inference(endpoint)
                .set(SubmitOptions.RESULT_TIMEOUT, resultTimeout)
                .build()
                .apply(
                        second.fromData(Types.STRING, elements.toArray(new String[0]))
                                .name(ELEMENTS))
                .sinkTo(sink)
                .uid("results-sink");
        JobClient restored = second.executeAsync("after the downtime");
        JobMetrics metrics = new JobMetrics(reporter, restored.getJobID());
        try {
            awaitCollected(sink, elements.size());
        } finally {
            Jobs.cancelUnlessEnded(restored);
        }

        assertThat(sink.collected())
                .as("answered, not TIMED_OUT, though every deadline passed while the job was down")
                .hasSize(elements.size())
                .allSatisfy(
                        r ->
                                assertThat(r.status())
                                        .isEqualTo(
                                                r.element().startsWith("0:")
                                                                || r.element().startsWith("50:")
                                                        ? InferenceStatus.MODEL_ERROR
                                                        : InferenceStatus.SUCCESS));
        assertThat(sink.collected())
                .extracting(InferenceResult::inferenceId)
                .containsExactlyInAnyOrderElementsOf(idsOf(endpoint, elements));
        assertThat(metrics.counterSum("sagemakerAsync.resultsFoundAtDeadline")).isPositive();
        assertThat(invocationsOf(endpoint))
                .as("every element submitted once, none again after the restore")
                .hasSize(elements.size())
                .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1L));
    }

    @Test
    void stopWithSavepointWhileInferencesArePendingLosesNothingAndSubmitsNothingTwice(
            @TempDir Path savepoints) throws Exception {
        String endpoint = "savepoint";
        register(
                endpoint,
                OutputNaming.RANDOM,
                FaultInjection.builder()
                        .latency(Duration.ofMillis(1_500), Duration.ofMillis(2_500))
                        .build());
        List<String> elements = elements(300, 42);
        Set<String> ids = Set.copyOf(idsOf(endpoint, elements));
        CollectingSink<InferenceResult<String>> sink = new CollectingSink<>("savepoint-results");

        StreamExecutionEnvironment first = environment(new Configuration());
        inference(endpoint)
                .build()
                .apply(first.fromData(Types.STRING, elements.toArray(new String[0])).name(ELEMENTS))
                .sinkTo(sink)
                .uid("results-sink");
        JobClient job = first.executeAsync("before savepoint");
        // A savepoint that meets the bounded input, or the submit operator after it, just as it
        // finishes is declined, and the failover after it would repeat results in this sink:
        // stop once both have ended.
        awaitFinished(job, "Source: " + ELEMENTS, "Inference ID guard: " + endpoint);
        long until = System.nanoTime() + STALL.toNanos();
        while (sink.collected().isEmpty()) {
            assertThat(System.nanoTime())
                    .as("a first answer in time; %s", LOCAL.counters())
                    .isLessThan(until);
            Thread.sleep(20);
        }
        String savepoint =
                job.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        // Some answered (the wait above saw one), and some pending: this fails if every element
        // was answered first, with no pending inference in the savepoint.
        assertThat(sink.collected())
                .as("pending inferences were in state at the savepoint")
                .hasSizeLessThan(elements.size());

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = environment(restore);
        inference(endpoint)
                .build()
                .apply(
                        second.fromData(Types.STRING, elements.toArray(new String[0]))
                                .name(ELEMENTS))
                .sinkTo(sink)
                .uid("results-sink");
        JobClient restored = second.executeAsync("after savepoint");
        try {
            awaitCollected(sink, elements.size());
            // The restored input is bounded: the job ends once every element has its result.
            Jobs.awaitFinished(restored, Duration.ofSeconds(30));
        } finally {
            Jobs.cancelUnlessEnded(restored);
        }

        assertThat(sink.collected())
                .extracting(InferenceResult::inferenceId)
                .as("every element exactly once across the savepoint")
                .containsExactlyInAnyOrderElementsOf(ids);
        // A rerun would submit all 300 again; a restore only what was in flight in the submit
        // operator at the savepoint, and it had finished: neither the answered before the
        // savepoint nor those pending in it go out again.
        assertThat(invocationsOf(endpoint))
                .as("every element submitted once across the savepoint")
                .hasSize(elements.size())
                .allSatisfy((id, count) -> assertThat(count).as(id).isEqualTo(1L));
    }

    /** The name of the bounded input of the savepoint test. */
    private static final String ELEMENTS = "elements";

    /**
     * Waits until every subtask of the job's vertices whose names start with one of {@code
     * prefixes} (a chain is named after all its operators) has finished.
     */
    private void awaitFinished(JobClient job, String... prefixes) throws Exception {
        long until = System.nanoTime() + STALL.toNanos();
        while (true) {
            Map<String, ExecutionState> states = new HashMap<>();
            for (AccessExecutionJobVertex vertex :
                    cluster.getExecutionGraph(job.getJobID()).get().getVerticesTopologically()) {
                for (String prefix : prefixes) {
                    if (vertex.getName().startsWith(prefix)) {
                        states.put(prefix, vertex.getAggregateState());
                    }
                }
            }
            if (states.size() == prefixes.length
                    && states.values().stream().allMatch(ExecutionState.FINISHED::equals)) {
                return;
            }
            assertThat(System.nanoTime())
                    .as("%s finished in time; they are %s", List.of(prefixes), states)
                    .isLessThan(until);
            Thread.sleep(20);
        }
    }

    private static void awaitCollected(CollectingSink<InferenceResult<String>> sink, int count)
            throws InterruptedException {
        int seen = -1;
        long lastProgress = System.nanoTime();
        while (sink.collected().size() < count) {
            if (sink.collected().size() != seen) {
                seen = sink.collected().size();
                lastProgress = System.nanoTime();
            }
            assertThat(System.nanoTime() - lastProgress)
                    .as("results stalled at %d of %d", seen, count)
                    .isLessThan(STALL.toNanos());
            Thread.sleep(50);
        }
    }

    /**
     * Completion by notification with the responses in the messages, and cleanup on: once the
     * checkpoint covering a result completes, its output object and its uploaded input are deleted,
     * although the job never read the output from S3.
     */
    @Test
    void cleanupDeletesTheOutputsAndInputsOfResultsWhoseNotificationsIncludedTheResponse()
            throws Exception {
        String endpoint = "sqs-cleanup";
        String queueUrl = LOCAL.local().createQueue(endpoint);
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .model(new DigestModel())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(endpoint)
                                                .errorQueue(endpoint)
                                                .build())
                                .build());
        List<String> elements = new ArrayList<>();
        for (int id = 1; id <= 20; id++) {
            // One payload over the inline limit, uploaded to the input prefix.
            elements.add(id + ":" + (id == 7 ? 200_000 : 100));
        }
        StreamExecutionEnvironment env = environment(new Configuration());
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .sqsCompletion(queueUrl)
                        .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1))
                        .set(JoinOptions.CLEANUP, true)
                        .build()
                        .apply(env.fromData(elements))
                        .collectAsync();
        JobClient job = env.executeAsync("sqs cleanup");
        JobMetrics metrics = new JobMetrics(reporter, job.getJobID());
        List<InferenceResult<String>> results;
        List<String> objects = new ArrayList<>();
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            results =
                    collector.awaitKeys(
                            idsOf(endpoint, elements), InferenceResult::inferenceId, STALL);
            for (InferenceResult<String> result : results) {
                objects.add(result.resultLocation());
                if (result.inputLocation() != null) {
                    objects.add(result.inputLocation());
                }
            }
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (objects.stream().anyMatch(object -> exists(LOCAL.s3(), object))) {
                assertThat(System.nanoTime())
                        .as("deleted after a checkpoint: %s", objects)
                        .isLessThan(until);
                Thread.sleep(100);
            }
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results)
                .hasSize(20)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).as("%s", r).isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(r.isResultContentIncluded()).isTrue();
                            assertThat(r.resultLocation())
                                    .startsWith(LOCAL.prefix(endpoint, "output") + "/");
                        });
        assertThat(objects).as("20 outputs and one input").hasSize(21);
        assertThat(metrics.counterSum("sagemakerAsync.responsesReadFromS3"))
                .as("every response came in its notification")
                .isZero();
        assertThat(metrics.counterSum("sagemakerAsync.objectsDeleted")).isEqualTo(21);
    }

    /** Whether an object exists at an s3:// URI; a HEAD answered 404 says it does not. */
    private static boolean exists(S3AsyncClient s3, String s3Uri) {
        String rest = s3Uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        try {
            s3.headObject(r -> r.bucket(rest.substring(0, slash)).key(rest.substring(slash + 1)))
                    .join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof S3Exception
                    && ((S3Exception) e.getCause()).statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
