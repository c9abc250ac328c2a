package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResultPollerTest {
    private static final String OUTPUT = "s3://bucket/out/a.out";
    private static final String FAILURE = "s3://bucket/failure/a-error.out";
    private static final InvocationAccepted ACCEPTED =
            new InvocationAccepted("id-1", OUTPUT, FAILURE);

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final AtomicLong clock = new AtomicLong(1_000_000L);

    /** Runs every scheduled look at once, recording the wait and advancing the clock by it. */
    private final RecordingScheduler scheduler = new RecordingScheduler(clock);

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private ResultPoller poller() {
        return new ResultPoller(
                store, scheduler, Duration.ofMillis(100), Duration.ofMillis(1_000), clock::get);
    }

    @Test
    void anOutputIsASuccessWithItsBytes() {
        store.put(S3Location.parse(OUTPUT, "test"), "{\"label\":\"POSITIVE\"}", 0);

        AwaitedResult result = poller().await(ACCEPTED, clock.get() + 60_000).join();

        assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
        assertThat(result.inferenceId()).isEqualTo("id-1");
        assertThat(new String(result.content(), StandardCharsets.UTF_8))
                .isEqualTo("{\"label\":\"POSITIVE\"}");
        assertThat(store.getRequests).hasValue(1);
    }

    @Test
    void aFailureObjectIsAModelErrorWithItsText() {
        store.put(S3Location.parse(FAILURE, "test"), "  the model said no\n", 0);

        AwaitedResult result = poller().await(ACCEPTED, clock.get() + 60_000).join();

        assertThat(result.status()).isEqualTo(InferenceStatus.MODEL_ERROR);
        assertThat(result.message()).isEqualTo("the model said no");
        assertThat(result.errorString())
                .isEqualTo("SAGEMAKER_ERROR MODEL_ERROR: the model said no");
        assertThat(store.getRequests).hasValue(2);
    }

    @Test
    void waitsDoubleUpToTheMaximumAndStopAtTheDeadline() {
        AwaitedResult result = poller().await(ACCEPTED, clock.get() + 3_000).join();

        assertThat(result.status()).isEqualTo(InferenceStatus.TIMED_OUT);
        assertThat(result.message()).contains(OUTPUT).contains(FAILURE);
        // 100 + 200 + 400 + 800 + 1000 = 2500, then the 500 ms left until the deadline.
        assertThat(scheduler.waits).containsExactly(100L, 200L, 400L, 800L, 1_000L, 500L);
        assertThat(store.getRequests).hasValue(2 * scheduler.waits.size());
    }

    @Test
    void aResultThatAppearsLaterIsFoundOnALaterLook() {
        scheduler.beforeLook =
                look -> {
                    if (look == 3) {
                        store.put(S3Location.parse(OUTPUT, "test"), "late", 0);
                    }
                };

        AwaitedResult result = poller().await(ACCEPTED, clock.get() + 60_000).join();

        assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
        assertThat(scheduler.waits).containsExactly(100L, 200L, 400L);
    }

    @Test
    void aLocationThatCannotBeReadFailsTheWaitInsteadOfHangingIt() {
        InvocationAccepted odd = new InvocationAccepted("id-2", "https://not-s3/x", FAILURE);

        assertThatThrownBy(() -> poller().await(odd, clock.get() + 60_000).join())
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://not-s3/x");
    }

    /** A scheduler that runs tasks at once on its thread, as if the wait had passed. */
    private static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
        final List<Long> waits = new CopyOnWriteArrayList<>();
        private final AtomicLong clock;
        volatile java.util.function.IntConsumer beforeLook = look -> {};

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
