package io.github.flinksagemaker.connector.submit;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Fewer calls in flight while throttled, more again as calls succeed; callers wait, unblocked. */
class AdaptiveConcurrencyLimitTest {

    @Test
    void throttlingHalvesTheLimitAndCallsOverItWaitForAPermit() throws Exception {
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(8);
        List<CompletableFuture<Void>> permits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            permits.add(limit.acquire());
        }
        assertThat(permits).allMatch(CompletableFuture::isDone);

        limit.throttled();
        limit.throttled(); // the same overload: at most one decrease per cooldown
        assertThat(limit.limit()).isEqualTo(4);
        Thread.sleep(AdaptiveConcurrencyLimit.DECREASE_COOLDOWN_NANOS / 1_000_000 + 10);
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
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(20);
        limit.throttled();
        assertThat(limit.limit()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            limit.acquire();
            limit.release(true);
        }
        assertThat(limit.limit()).isEqualTo(20);
    }

    @Test
    void neverBelowOneCallInFlight() throws Exception {
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(4);
        for (int i = 0; i < 5; i++) {
            limit.throttled();
            Thread.sleep(AdaptiveConcurrencyLimit.DECREASE_COOLDOWN_NANOS / 1_000_000 + 5);
        }
        assertThat(limit.limit()).isEqualTo(1);
        assertThat(limit.acquire()).isDone();
    }
}
