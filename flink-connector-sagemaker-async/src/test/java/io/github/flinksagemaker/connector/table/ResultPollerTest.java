package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.config.SqlOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.ResultReadFailureTable;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SQL result poller on a fake clock: what it finds, how often it looks (GETs per row for models
 * of 1 s, 1 min and 10 min with the default delays), and that no read error of an accepted
 * inference fails its row, except those that doom every row.
 */
class ResultPollerTest {
    private static final String OUTPUT = "s3://bucket/out/a.out";
    private static final String FAILURE = "s3://bucket/failure/a-error.out";
    private static final InvocationAccepted ACCEPTED =
            new InvocationAccepted("id-1", OUTPUT, FAILURE);
    private static final long START = 1_000_000L;

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final AtomicLong clock = new AtomicLong(START);

    /** Runs every scheduled look at once, recording the wait and advancing the clock by it. */
    private final RecordingScheduler scheduler = new RecordingScheduler(clock);

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private ResultPoller poller() {
        return poller(Duration.ofMillis(100), Duration.ofMillis(1_000));
    }

    private ResultPoller poller(Duration initial, Duration max) {
        return new ResultPoller(store, scheduler, initial, max, 1_000, clock::get);
    }

    private void put(String location, String content) {
        store.put(S3Location.parse(location, "test"), content, 0);
    }

    @Test
    void anOutputIsASuccessWithItsBytesAndLocation() {
        put(OUTPUT, "{\"label\":\"POSITIVE\"}");

        AwaitedResult result = poller().await(ACCEPTED, START + 60_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.SUCCESS);
        assertThat(result.inferenceId()).isEqualTo("id-1");
        assertThat(result.location()).isEqualTo(OUTPUT);
        assertThat(new String(result.content(), StandardCharsets.UTF_8))
                .isEqualTo("{\"label\":\"POSITIVE\"}");
        assertThat(store.getRequests).hasValue(1);
    }

    @Test
    void theFailureLocationIsReadEveryFourthLookAndTheModelErrorKeepsItsText() {
        put(FAILURE, "  the model said no\n");

        AwaitedResult result = poller().await(ACCEPTED, START + 60_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.MODEL_ERROR);
        assertThat(result.message()).isEqualTo("the model said no");
        assertThat(result.errorString())
                .isEqualTo("SAGEMAKER_ERROR MODEL_ERROR: the model said no");
        assertThat(result.exceptionMessage())
                .as("a job failure names where the text is, never the text")
                .isEqualTo(
                        "Inference id-1 ended MODEL_ERROR: the model's error text (17"
                                + " characters) is at "
                                + FAILURE)
                .doesNotContain("said no");
        assertThat(scheduler.waits).hasSize(ResultPoller.FAILURE_LOOK_EVERY);
        assertThat(store.getRequests).hasValue(ResultPoller.FAILURE_LOOK_EVERY + 1);
    }

    @Test
    void waitsDoubleUpToTheMaximumAndTheLastLookAtTheDeadlineReadsBoth() {
        AwaitedResult result = poller().await(ACCEPTED, START + 3_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.TIMED_OUT);
        assertThat(result.message()).contains(OUTPUT).contains(FAILURE);
        // 100 + 200 + 400 + 800 + 1000 = 2500, then the 500 ms left until the deadline.
        assertThat(scheduler.waits).containsExactly(100L, 200L, 400L, 800L, 1_000L, 500L);
        assertThat(store.getRequests)
                .as("6 outputs, the 4th look's failure, the last's")
                .hasValue(8);
    }

    /**
     * GETs per row with the default delays (500 ms doubling to 30 s), for models of 1 s, 1 min and
     * 10 min. Before: both locations on every miss, up to 10 s apart: 3, 19 and 127 GETs.
     */
    @ParameterizedTest(name = "a {0} s model costs {1} GETs")
    @CsvSource({"1, 2", "60, 8", "600, 35"})
    void getsPerRowForModelsOfOneSecondOneMinuteAndTenMinutes(int modelSeconds, int gets) {
        scheduler.beforeLook =
                look -> {
                    if (clock.get() - START >= modelSeconds * 1_000L) {
                        put(OUTPUT, "done");
                    }
                };

        AwaitedResult result =
                poller(
                                SqlOptions.POLL_INITIAL_DELAY.defaultValue(),
                                SqlOptions.POLL_MAX_DELAY.defaultValue())
                        .await(ACCEPTED, START + Duration.ofHours(1).toMillis())
                        .join();

        assertThat(result.status()).isEqualTo(RowStatus.SUCCESS);
        assertThat(store.getRequests).hasValue(gets);
        assertThat(clock.get() - START)
                .as("found within one maximum delay of the model's end")
                .isLessThan(modelSeconds * 1_000L + 30_000L);
    }

    @Test
    void aResultThatAppearsLaterIsFoundOnALaterLook() {
        scheduler.beforeLook =
                look -> {
                    if (look == 3) {
                        put(OUTPUT, "late");
                    }
                };

        AwaitedResult result = poller().await(ACCEPTED, START + 60_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.SUCCESS);
        assertThat(scheduler.waits).containsExactly(100L, 200L, 400L);
    }

    @Test
    void throttlingAndServerErrorsAreMissesNotFailures() {
        store.failReads(S3Location.parse(OUTPUT, "test"), S3Errors.of(503, "SlowDown"));
        scheduler.beforeLook =
                look -> {
                    if (look == 2) {
                        store.failReads(
                                S3Location.parse(OUTPUT, "test"),
                                S3Errors.of(500, "InternalError"));
                    } else if (look == 5) {
                        store.failReads(S3Location.parse(OUTPUT, "test"), null);
                        put(OUTPUT, "after the storm");
                    }
                };

        AwaitedResult result = poller().await(ACCEPTED, START + 60_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.SUCCESS);
        assertThat(scheduler.waits).hasSize(5);
    }

    @Test
    void a403ForAMissingKeyIsAMissAndEndsTimedOut() {
        store.failReads(S3Location.parse(OUTPUT, "test"), S3Errors.of(403, "AccessDenied"));
        store.failReads(S3Location.parse(FAILURE, "test"), S3Errors.of(403, "AccessDenied"));

        AwaitedResult result = poller().await(ACCEPTED, START + 3_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.TIMED_OUT);
        assertThat(store.findRequests)
                .as("an exact-key listing of each at the deadline")
                .hasValue(2);
    }

    @Test
    void a403OnAnExistingObjectIsUnreadableAtTheDeadlineNamingIt() {
        put(OUTPUT, "written with a KMS key the role cannot use");
        store.failReads(S3Location.parse(OUTPUT, "test"), S3Errors.of(403, "AccessDenied"));

        AwaitedResult result = poller().await(ACCEPTED, START + 3_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.UNREADABLE);
        assertThat(result.location()).isEqualTo(OUTPUT);
        assertThat(result.message()).contains(OUTPUT).contains("s3:GetObject");
    }

    @Test
    void anArchivedObjectIsUnreadableAtOnce() {
        put(OUTPUT, "archived");
        store.failReads(S3Location.parse(OUTPUT, "test"), S3Errors.of(403, "InvalidObjectState"));

        AwaitedResult result = poller().await(ACCEPTED, START + 60_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.UNREADABLE);
        assertThat(result.message()).contains(OUTPUT).contains("InvalidObjectState");
        assertThat(scheduler.waits).hasSize(1);
    }

    @Test
    void wrongCredentialsFailTheWaitWithAFatalErrorNamingThem() {
        store.failReads(S3Location.parse(OUTPUT, "test"), S3Errors.of(403, "InvalidAccessKeyId"));

        assertThatThrownBy(() -> poller().await(ACCEPTED, START + 60_000).join())
                .hasCauseInstanceOf(FatalAwsException.class)
                .hasMessageContaining("aws.credentials.provider")
                .hasMessageContaining(OUTPUT);
    }

    /**
     * Every error kind of a GET of the output, which is there, acted on as {@link
     * ResultReadFailureTable} says for a location not yet seen.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(AwsErrorKind.class)
    void aFailedReadIsActedOnAsTheTableSays(AwsErrorKind kind) {
        ResultReadFailure expected =
                ResultReadFailureTable.expected(kind, ResultLocationOrigin.CONFIGURED_UNSEEN);
        put(OUTPUT, "the answer");
        Throwable error = AwsErrorsOfKind.of(kind);
        S3Location output = S3Location.parse(OUTPUT, "test");
        store.failReads(output, new CompletionException(error));
        if (expected == ResultReadFailure.RETRY) {
            scheduler.beforeLook =
                    look -> {
                        if (look == 3) {
                            store.failReads(output, null);
                        }
                    };
        }

        WaitOutcome outcome = WaitOutcome.of(() -> poller().await(ACCEPTED, START + 3_000).join());

        switch (expected) {
            case ABSENT:
                assertThat(outcome.result().status()).isEqualTo(RowStatus.TIMED_OUT);
                assertThat(store.findRequests).as("no lookup needed").hasValue(0);
                break;
            case RETRY:
                assertThat(outcome.result().status()).isEqualTo(RowStatus.SUCCESS);
                assertThat(scheduler.waits).as("missed until the reads worked").hasSize(3);
                break;
            case DENIED_MAYBE_ABSENT:
                assertThat(outcome.result().status()).isEqualTo(RowStatus.UNREADABLE);
                assertThat(outcome.result().message()).contains("exists but S3 refused");
                assertThat(scheduler.waits).as("a miss until the deadline").hasSizeGreaterThan(1);
                break;
            case UNREADABLE:
                assertThat(outcome.result().status()).isEqualTo(RowStatus.UNREADABLE);
                assertThat(outcome.result().message()).contains(AwsErrors.describe(error));
                assertThat(scheduler.waits).as("at once").hasSize(1);
                break;
            case FATAL:
                assertThat(outcome.error())
                        .isInstanceOf(CompletionException.class)
                        .cause()
                        .isInstanceOf(FatalAwsException.class)
                        .hasMessageContaining(OUTPUT)
                        .hasMessageContaining(AwsErrors.describe(error));
                break;
            default:
                throw new AssertionError("Unexpected " + expected);
        }
    }

    /** The wait's result, or what it failed with. */
    private record WaitOutcome(AwaitedResult result, Throwable error) {
        static WaitOutcome of(java.util.function.Supplier<AwaitedResult> wait) {
            try {
                return new WaitOutcome(wait.get(), null);
            } catch (RuntimeException e) {
                return new WaitOutcome(null, e);
            }
        }

        @Override
        public AwaitedResult result() {
            assertThat(error).as("the wait ended without failing").isNull();
            return result;
        }
    }

    @Test
    void anOutputOverTheLimitIsAnInvalidOutputNamingItsSizeAndTheOption() {
        put(OUTPUT, "x".repeat(1_001));

        AwaitedResult result = poller().await(ACCEPTED, START + 60_000).join();

        assertThat(result.status()).isEqualTo(RowStatus.INVALID_OUTPUT);
        assertThat(result.content()).isNull();
        assertThat(result.message())
                .contains("1001 bytes")
                .contains(OUTPUT)
                .contains(SqlOptions.MAX_RESULT_BYTES.key());
    }

    @Test
    void aLocationThatCannotBeParsedFailsTheWaitInsteadOfHangingIt() {
        InvocationAccepted odd = new InvocationAccepted("id-2", "https://not-s3/x", FAILURE);

        assertThatThrownBy(() -> poller().await(odd, START + 60_000).join())
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://not-s3/x");
    }

    /** A scheduler that runs tasks at once on its thread, as if the wait had passed. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Long> waits = new CopyOnWriteArrayList<>();
        private final AtomicLong clock;
        volatile IntConsumer beforeLook = look -> {};

        RecordingScheduler(AtomicLong clock) {
            super(1);
            this.clock = clock;
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
            long millis = unit.toMillis(delay);
            waits.add(millis);
            int look = waits.size();
            return super.schedule(
                    () -> {
                        clock.addAndGet(millis);
                        beforeLook.accept(look);
                        task.run();
                    },
                    0,
                    TimeUnit.MILLISECONDS);
        }
    }
}
