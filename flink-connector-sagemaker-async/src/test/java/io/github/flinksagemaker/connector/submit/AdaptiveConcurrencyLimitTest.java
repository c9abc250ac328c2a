package io.github.flinksagemaker.connector.submit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Fewer calls in flight while throttled, more again as calls succeed; callers wait, unblocked. */
class AdaptiveConcurrencyLimitTest {
    private static final long COOLDOWN = AdaptiveConcurrencyLimit.DECREASE_COOLDOWN_NANOS;

    /**
     * The limit's clock: the cooldown passes only when a test moves it. It starts at 0, less than a
     * cooldown after no decrease at all, as {@code System.nanoTime()} may.
     */
    private final AtomicLong nanos = new AtomicLong();

    @Test
    void throttlingHalvesTheLimitAndCallsOverItWaitForAPermit() {
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(8, nanos::get);
        List<CompletableFuture<Void>> permits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            permits.add(limit.acquire());
        }
        assertThat(permits).allMatch(CompletableFuture::isDone);

        limit.throttled();
        nanos.addAndGet(COOLDOWN - 1);
        limit.throttled(); // the same overload: at most one decrease per cooldown
        assertThat(limit.limit()).isEqualTo(4);
        nanos.addAndGet(1);
        limit.throttled();
        assertThat(limit.limit()).isEqualTo(2);

        CompletableFuture<Void> waiting = limit.acquire();
        for (int i = 0; i < 6; i++) {
            limit.release(false);
        }
        assertThat(waiting).as("still 2 in flight, the limit").isNotDone();
        limit.release(false);
        assertThat(waiting).isDone();
        assertThat(limit.inFlight()).isEqualTo(2);
    }

    @Test
    void successesRaiseTheLimitBackToTheCapacityAndNoFurther() {
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(20, nanos::get);
        limit.throttled();
        assertThat(limit.limit()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            limit.acquire();
            limit.release(true);
        }
        assertThat(limit.limit()).isEqualTo(20);
    }

    @Test
    void neverBelowOneCallInFlight() {
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(4, nanos::get);
        for (int i = 0; i < 5; i++) {
            limit.throttled();
            nanos.addAndGet(COOLDOWN);
        }
        assertThat(limit.limit()).isEqualTo(1);
        assertThat(limit.acquire()).isDone();
    }
}
