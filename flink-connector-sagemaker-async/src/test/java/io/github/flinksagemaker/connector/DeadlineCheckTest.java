package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.join.ResultLocationCheck;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceSerializer;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.ResultReadFailureTable;
import io.github.flinksagemaker.connector.testutils.S3Errors;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The look at an inference's result locations at its deadline, as the one-call API wires it: {@link
 * ResultLocationCheck} in Flink's async operator with the deadline retry strategy, driven by a test
 * harness (processing time and mailbox by hand) over an in-memory S3.
 */
class DeadlineCheckTest {
    private static final String OUTPUT = "s3://bucket/out/results/a.out";
    private static final String FAILURE = "s3://bucket/failed/results/a-error.out";
    private static final long SUBMITTED = 1_700_000_000_000L;
    private static final int MAX_CONTENT_BYTES = 16;

    /** Stores by name: the operator factory may be serialized, an in-memory store cannot be. */
    private static final Map<String, InMemoryObjectStore> STORES = new ConcurrentHashMap<>();

    private final String storeName = UUID.randomUUID().toString();
    private final InMemoryObjectStore store = new InMemoryObjectStore();

    {
        STORES.put(storeName, store);
    }

    @AfterEach
    void forgetStore() {
        STORES.remove(storeName);
    }

    private record StoreNamed(String name) implements WatchClientFactory {
        @Override
        public S3ObjectStore s3(WatchConfig config) {
            return STORES.get(name);
        }
    }

    private OneInputStreamOperatorTestHarness<PendingInference<String>, InferenceResult<String>>
            harness() throws Exception {
        Configuration config = new Configuration();
        config.set(AwsConfigOptions.AWS_REGION, "us-east-1");
        config.set(WatchOptions.OUTPUT_PATH, "s3://bucket/out");
        config.set(WatchOptions.FAILURE_PATH, "s3://bucket/failed");
        config.set(WatchOptions.MAX_CONTENT_BYTES, new MemorySize(MAX_CONTENT_BYTES));
        OneInputStreamOperatorTestHarness<PendingInference<String>, InferenceResult<String>>
                harness =
                        new OneInputStreamOperatorTestHarness<>(
                                new AsyncWaitOperatorFactory<>(
                                        new ResultLocationCheck<String>(
                                                WatchConfig.from(config),
                                                new StoreNamed(storeName)),
                                        Duration.ofMinutes(15).toMillis(),
                                        64,
                                        AsyncDataStream.OutputMode.UNORDERED,
                                        SageMakerAsyncInference.deadlineCheckRetries()),
                                new PendingInferenceSerializer<>(StringSerializer.INSTANCE));
        // Whatever fails the task is recorded, not thrown, so a test can look at it.
        harness.getEnvironment().setExpectedExternalFailureCause(Throwable.class);
        harness.open();
        harness.setProcessingTime(0);
        return harness;
    }

    private static PendingInference<String> pending(String id, String output, String failure) {
        return PendingInference.accepted(
                id,
                output,
                failure,
                SubmitPath.INLINE,
                10,
                SUBMITTED,
                SUBMITTED + 60_000,
                null,
                "element of " + id);
    }

    private void put(String location, String content, long lastModifiedMillis) {
        store.put(S3Location.parse(location, "test"), content, lastModifiedMillis);
    }

    /** Looks for {@code pending} and runs what the look left to do (results, retries). */
    private static void look(
            OneInputStreamOperatorTestHarness<PendingInference<String>, InferenceResult<String>>
                    harness,
            PendingInference<String> pending)
            throws Exception {
        harness.processElement(new StreamRecord<>(pending));
        runMailbox(harness);
    }

    /** Moves processing time on, firing due retries, and runs what they left to do. */
    private static void advanceTo(
            OneInputStreamOperatorTestHarness<?, ?> harness, long processingTimeMillis)
            throws Exception {
        harness.setProcessingTime(processingTimeMillis);
        runMailbox(harness);
    }

    /** Runs the mails the operator queued: retry decisions and results are made there. */
    private static void runMailbox(OneInputStreamOperatorTestHarness<?, ?> harness)
            throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        for (Optional<Mail> mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY);
                mail.isPresent();
                mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)) {
            mail.get().run();
        }
    }

    private static InferenceResult<String> onlyResult(
            OneInputStreamOperatorTestHarness<PendingInference<String>, InferenceResult<String>>
                    harness) {
        assertThat(harness.getEnvironment().getActualExternalFailureCause()).isEmpty();
        List<InferenceResult<String>> results = harness.extractOutputValues();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    @Test
    void slowDownAnd5xxOnTheLookupAreRetriedWithBackoffUntilTheLookSucceeds() throws Exception {
        put(OUTPUT, "the answer", SUBMITTED + 5_000);
        S3Location output = S3Location.parse(OUTPUT, "test");
        try (var harness = harness()) {
            store.failFinds(output, S3Errors.of(503, "SlowDown"));
            look(harness, pending("id-1", OUTPUT, FAILURE));
            assertThat(store.findRequests).hasValue(1);

            store.failFinds(output, S3Errors.of(500, "InternalError"));
            advanceTo(harness, 499);
            assertThat(store.findRequests).as("backoff of 500 ms first").hasValue(1);
            advanceTo(harness, 500);
            assertThat(store.findRequests).hasValue(2);
            assertThat(harness.extractOutputValues()).isEmpty();

            store.failFinds(output, null);
            advanceTo(harness, 1_500);

            assertThat(store.findRequests).hasValue(3);
            InferenceResult<String> result = onlyResult(harness);
            assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
            assertThat(result.output()).isEqualTo("the answer".getBytes(StandardCharsets.UTF_8));
            assertThat(result.resultLocation()).isEqualTo(OUTPUT);
        }
    }

    @Test
    void accessDeniedOnTheLookupFailsTheJobAtOnceNamingTheLocationAndWhatToFix() throws Exception {
        store.failFinds(S3Location.parse(OUTPUT, "test"), S3Errors.of(403, "AccessDenied"));
        try (var harness = harness()) {
            look(harness, pending("id-denied", OUTPUT, FAILURE));
            advanceTo(harness, Duration.ofMinutes(5).toMillis());

            assertThat(harness.getEnvironment().getActualExternalFailureCause())
                    .hasValueSatisfying(
                            cause ->
                                    assertThat(cause)
                                            .rootCause()
                                            .isInstanceOf(FatalAwsException.class)
                                            .hasMessageContaining(
                                                    "Looking for the result of inference"
                                                            + " 'id-denied' at "
                                                            + OUTPUT)
                                            .hasMessageContaining("AccessDenied (403)")
                                            .hasMessageContaining("Grant the job's role")
                                            .hasMessageContaining("docs/iam.md"));
            assertThat(store.findRequests).as("never retried").hasValue(1);
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void anObjectLastModifiedWellBeforeTheSubmissionIsStaleAndNotTheAnswer() throws Exception {
        String recentOutput = "s3://bucket/out/results/b.out";
        put(OUTPUT, "an earlier run's answer", SUBMITTED - 61_000);
        put(recentOutput, "this run's", SUBMITTED - 30_000);
        try (var harness = harness()) {
            look(harness, pending("id-stale", OUTPUT, FAILURE));
            look(harness, pending("id-recent", recentOutput, null));

            assertThat(harness.getEnvironment().getActualExternalFailureCause()).isEmpty();
            assertThat(harness.extractOutputValues())
                    .hasSize(2)
                    .anySatisfy(
                            stale -> {
                                assertThat(stale.inferenceId()).isEqualTo("id-stale");
                                assertThat(stale.status()).isEqualTo(InferenceStatus.TIMED_OUT);
                                assertThat(stale.errorMessage())
                                        .contains("nothing at " + OUTPUT + " nor at " + FAILURE);
                            })
                    .anySatisfy(
                            recent -> {
                                // Clocks differ by seconds: within 60 s is not stale.
                                assertThat(recent.inferenceId()).isEqualTo("id-recent");
                                assertThat(recent.status()).isEqualTo(InferenceStatus.SUCCESS);
                            });
            assertThat(store.getRequests).as("only the recent object is read").hasValue(1);
        }
    }

    @Test
    void aForbiddenReadOfAFoundObjectIsItsUnreadableResultNeverRetried() throws Exception {
        put(OUTPUT, "sealed", SUBMITTED + 5_000);
        store.failReads(S3Location.parse(OUTPUT, "test"), S3Errors.of(403, "AccessDenied"));
        try (var harness = harness()) {
            look(harness, pending("id-unreadable", OUTPUT, FAILURE));
            advanceTo(harness, Duration.ofMinutes(5).toMillis());

            InferenceResult<String> result = onlyResult(harness);
            assertThat(result.status()).isEqualTo(InferenceStatus.UNREADABLE);
            assertThat(result.resultLocation()).isEqualTo(OUTPUT);
            assertThat(result.errorMessage()).contains(OUTPUT).contains("AccessDenied");
            assertThat(result.isResultContentIncluded()).isFalse();
            assertThat(store.getRequests).hasValue(1);
        }
    }

    /**
     * Every error kind of a GET of the object found at the deadline, acted on as {@link
     * ResultReadFailureTable} says for a seen object of the job's paths.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(AwsErrorKind.class)
    void aFailedReadOfTheFoundObjectIsActedOnAsTheTableSays(AwsErrorKind kind) throws Exception {
        ResultReadFailure expected =
                ResultReadFailureTable.expected(kind, ResultLocationOrigin.CONFIGURED_SEEN);
        put(OUTPUT, "the answer", SUBMITTED + 5_000);
        store.failReads(
                S3Location.parse(OUTPUT, "test"),
                new CompletionException(AwsErrorsOfKind.of(kind)));
        try (var harness = harness()) {
            look(harness, pending("id-" + kind, OUTPUT, FAILURE));

            switch (expected) {
                case ABSENT:
                    assertThat(onlyResult(harness).status()).isEqualTo(InferenceStatus.TIMED_OUT);
                    break;
                case UNREADABLE:
                    InferenceResult<String> unreadable = onlyResult(harness);
                    assertThat(unreadable.status()).isEqualTo(InferenceStatus.UNREADABLE);
                    assertThat(unreadable.resultLocation()).isEqualTo(OUTPUT);
                    advanceTo(harness, Duration.ofMinutes(5).toMillis());
                    assertThat(store.getRequests).as("never read again").hasValue(1);
                    break;
                case FATAL:
                    assertThat(harness.getEnvironment().getActualExternalFailureCause())
                            .hasValueSatisfying(
                                    cause ->
                                            assertThat(cause)
                                                    .rootCause()
                                                    .isInstanceOf(FatalAwsException.class)
                                                    .hasMessageContaining(OUTPUT));
                    assertThat(harness.extractOutputValues()).isEmpty();
                    break;
                case RETRY:
                    assertThat(harness.extractOutputValues()).isEmpty();
                    store.failReads(S3Location.parse(OUTPUT, "test"), null);
                    advanceTo(harness, 500);
                    assertThat(store.getRequests).as("looked again").hasValue(2);
                    assertThat(onlyResult(harness).status()).isEqualTo(InferenceStatus.SUCCESS);
                    break;
                default:
                    throw new AssertionError("A found object is never " + expected);
            }
        }
    }

    @Test
    void objectsOverTheContentLimitAreTheResultWithoutTheirContentAndNotRead() throws Exception {
        String failureOnly = "s3://bucket/out/results/c.out";
        String failure = "s3://bucket/failed/results/c-error.out";
        String large = "x".repeat(MAX_CONTENT_BYTES + 1);
        put(OUTPUT, large, SUBMITTED + 5_000);
        put(failure, large, SUBMITTED + 5_000);
        try (var harness = harness()) {
            look(harness, pending("id-large-output", OUTPUT, FAILURE));
            look(harness, pending("id-large-failure", failureOnly, failure));

            assertThat(harness.getEnvironment().getActualExternalFailureCause()).isEmpty();
            assertThat(harness.extractOutputValues())
                    .hasSize(2)
                    .anySatisfy(
                            output -> {
                                assertThat(output.status()).isEqualTo(InferenceStatus.SUCCESS);
                                assertThat(output.resultLocation()).isEqualTo(OUTPUT);
                                assertThat(output.output()).isNull();
                                assertThat(output.isResultContentIncluded()).isFalse();
                            })
                    .anySatisfy(
                            modelError -> {
                                assertThat(modelError.status())
                                        .isEqualTo(InferenceStatus.MODEL_ERROR);
                                assertThat(modelError.resultLocation()).isEqualTo(failure);
                                assertThat(modelError.isResultContentIncluded()).isFalse();
                                assertThat(modelError.errorMessage())
                                        .contains(String.valueOf(MAX_CONTENT_BYTES + 1))
                                        .contains(failure);
                            });
            assertThat(store.getRequests).as("neither is read").hasValue(0);
        }
    }

    @Test
    void anUnconfirmedSubmissionWithoutLocationsTimesOutSayingTheyAreUnknown() throws Exception {
        PendingInference<String> unconfirmed =
                PendingInference.unconfirmed(
                        "id-unanswered",
                        null,
                        SubmitPath.INLINE,
                        10,
                        SUBMITTED,
                        SUBMITTED + 60_000,
                        null,
                        "element");
        try (var harness = harness()) {
            look(harness, unconfirmed);

            InferenceResult<String> result = onlyResult(harness);
            assertThat(result.status()).isEqualTo(InferenceStatus.TIMED_OUT);
            assertThat(result.inferenceId()).isEqualTo("id-unanswered");
            assertThat(result.errorMessage())
                    .contains("no answer came back")
                    .contains("locations are unknown");
            assertThat(store.findRequests).as("nowhere to look").hasValue(0);
        }
    }
}
