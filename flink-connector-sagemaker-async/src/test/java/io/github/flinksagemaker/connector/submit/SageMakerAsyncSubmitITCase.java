package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.Rejection;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.model.EchoModel;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The submit operator in a Flink job on a MiniCluster, against the local SageMaker async endpoint
 * and in-process S3, through the real AWS SDK clients over HTTP.
 */
class SageMakerAsyncSubmitITCase {
    private static final String ENDPOINT = "submit-it";
    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeEach
    void registerEndpoint() {
        LOCAL.local()
                .registerEndpoint(
                        LocalEndpointConfig.builder(ENDPOINT)
                                .s3OutputPath("s3://" + LOCAL.bucket() + "/out")
                                .s3FailurePath("s3://" + LOCAL.bucket() + "/failed")
                                .model(new EchoModel())
                                .build());
    }

    /** Elements are "id:size": an ID and a payload size in bytes. */
    private static SageMakerAsyncSubmitFunction.Builder<String, String> submit() {
        return SageMakerAsyncSubmitFunction.<String>builder()
                .setAll(LOCAL.awsConfig())
                .endpointName(ENDPOINT)
                .s3InputPrefix("s3://" + LOCAL.bucket() + "/in")
                .contentType("application/octet-stream")
                .serializer(element -> SerializedRequest.of(payload(element)))
                .inferenceIdExtractor(element -> element.split(":")[0]);
    }

    static byte[] payload(String element) {
        String[] parts = element.split(":");
        byte[] bytes = new byte[Integer.parseInt(parts[1])];
        Arrays.fill(bytes, (byte) ('a' + Math.floorMod(parts[0].hashCode(), 26)));
        return bytes;
    }

    private record Run(List<PendingInference<String>> results, JobID jobId) {}

    private static Run run(
            SageMakerAsyncSubmitFunction<String, String> function, List<String> input)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CloseableIterator<PendingInference<String>> iterator =
                function.applyTo(env.fromData(Types.STRING, input.toArray(new String[0])))
                        .collectAsync();
        JobClient job = env.executeAsync("submit-it");
        List<PendingInference<String>> results = new ArrayList<>();
        try (iterator) {
            iterator.forEachRemaining(results::add);
        }
        job.getJobExecutionResult().get();
        return new Run(results, job.getJobID());
    }

    private static Map<String, PendingInference<String>> byElement(Run run) {
        return run.results().stream()
                .collect(Collectors.toMap(PendingInference::element, Function.identity()));
    }

    @Test
    void inlineElementsAtTheLimitCostNoS3Request() throws Exception {
        Run run = run(submit().build(), List.of("a:127999", "b:128000"));

        Map<String, PendingInference<String>> results = byElement(run);
        assertThat(results.get("a:127999").path()).isEqualTo(SubmitPath.INLINE);
        assertThat(results.get("b:128000").path()).isEqualTo(SubmitPath.INLINE);
        assertThat(run.results()).noneMatch(PendingInference::isRejected);
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE)).isEqualTo(2);
        assertThat(LOCAL.counters().s3RequestsTotal()).isZero();
    }

    @Test
    void anElementOneByteOverTheLimitIsUploadedAndSentAsInputLocation() throws Exception {
        Run run = run(submit().build(), List.of("c:128001"));

        PendingInference<String> pending = run.results().get(0);
        assertThat(pending.path()).isEqualTo(SubmitPath.S3);
        assertThat(pending.inputLocation()).isEqualTo("s3://" + LOCAL.bucket() + "/in/c");
        assertThat(LocalAwsConfig.read(LOCAL.s3(), pending.inputLocation()))
                .isEqualTo(payload("c:128001"));
        assertThat(LOCAL.counters().invocations(InvocationKind.INPUT_LOCATION)).isEqualTo(1);
        assertThat(LOCAL.counters().s3Requests(S3Operation.PUT)).isEqualTo(1);
        // The echo model's output proves the endpoint read exactly the uploaded bytes.
        assertThat(awaitBytes(pending.outputLocation())).isEqualTo(payload("c:128001"));
    }

    @Test
    void everyElementIsSubmittedThroughThrottlingAndServiceUnavailable() throws Exception {
        LOCAL.local()
                .setFaults(
                        ENDPOINT,
                        FaultInjection.builder()
                                .throttledFraction(0.3)
                                .serviceUnavailableFraction(0.1)
                                .build());
        List<String> input =
                IntStream.range(0, 300).mapToObj(i -> "t" + i + ":" + (1 + i * 7 % 2_000)).toList();

        Run run =
                run(
                        submit().set(SubmitOptions.RETRY_MAX_ATTEMPTS, 40)
                                .set(SubmitOptions.RETRY_BASE_DELAY, Duration.ofMillis(5))
                                .set(SubmitOptions.RETRY_MAX_DELAY, Duration.ofMillis(50))
                                .build(),
                        input);

        assertThat(run.results()).hasSize(300).noneMatch(PendingInference::isRejected);
        assertThat(run.results())
                .extracting(PendingInference::inferenceId)
                .containsExactlyInAnyOrderElementsOf(
                        input.stream().map(e -> e.split(":")[0]).toList());
        long throttled = LOCAL.counters().rejections(Rejection.THROTTLED);
        long unavailable = LOCAL.counters().rejections(Rejection.SERVICE_UNAVAILABLE);
        assertThat(throttled).isPositive();
        assertThat(unavailable).isPositive();
        // Every rejection was retried (all elements got through); the SDK may also retry an
        // I/O error such as a reset keep-alive connection, so retries can only be more.
        assertThat(counterSum(run.jobId(), "sagemakerAsync.retries"))
                .isGreaterThanOrEqualTo(throttled + unavailable)
                .isLessThan(throttled + unavailable + 10);
        assertThat(counterSum(run.jobId(), "sagemakerAsync.throttled"))
                .as("429s and 503s both ask the job to slow down")
                .isEqualTo(throttled + unavailable);
        assertThat(counterSum(run.jobId(), "sagemakerAsync.submittedInline")).isEqualTo(300);
    }

    @Test
    void aBadElementAndAValidationErrorEachBecomeOneRejectionAndTheJobGoesOn() throws Exception {
        SageMakerAsyncSubmitFunction<String, String> function =
                submit().serializer(
                                element -> {
                                    if (element.startsWith("unserializable")) {
                                        throw new IllegalArgumentException("no encoding");
                                    }
                                    SerializedRequest request =
                                            SerializedRequest.of(payload(element));
                                    // An Accept the service refuses: over 1024 characters.
                                    return element.startsWith("refused")
                                            ? request.withAccept("x".repeat(1025))
                                            : request;
                                })
                        .build();

        Run run = run(function, List.of("ok1:10", "unserializable:10", "refused:10", "ok2:10"));

        Map<String, PendingInference<String>> results = byElement(run);
        assertThat(results).hasSize(4);
        assertThat(results.get("unserializable:10").rejectionReason())
                .isEqualTo(RejectionReason.SERIALIZATION_FAILED);
        assertThat(results.get("unserializable:10").errorMessage())
                .isEqualTo("Request serializer failed: IllegalArgumentException: no encoding");
        assertThat(results.get("refused:10").rejectionReason())
                .isEqualTo(RejectionReason.VALIDATION_ERROR);
        assertThat(results.get("refused:10").errorMessage())
                .startsWith("ValidationError: ")
                .contains("at 'accept'");
        assertThat(results.get("ok1:10").isRejected()).isFalse();
        assertThat(results.get("ok2:10").isRejected()).isFalse();
        assertThat(LOCAL.counters().rejections(Rejection.VALIDATION)).isEqualTo(1);
    }

    private static long counterSum(JobID jobId, String name) {
        return new JobMetrics(REPORTER, jobId).counterSum(name);
    }

    private static byte[] awaitBytes(String location) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try {
                return LocalAwsConfig.read(LOCAL.s3(), location);
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no object at " + location, e);
                }
                Thread.sleep(20);
            }
        }
    }
}
