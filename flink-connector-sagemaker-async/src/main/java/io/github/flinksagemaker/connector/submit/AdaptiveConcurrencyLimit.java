package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.connector.base.sink.writer.strategy.AIMDScalingStrategy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * How many calls a subtask may have in flight, adapted to what the service takes: halved on
 * throttling (at most once per {@link #DECREASE_COOLDOWN_NANOS}, since one overload throttles many
 * calls at once), raised again with each call that succeeds, between 1 and the operator's capacity,
 * with flink-connector-base's {@link AIMDScalingStrategy}. Calls over the limit wait for a permit,
 * without blocking a thread, so that sustained throttling slows the intake (the async operator's
 * queue fills and backpressure reaches the source) instead of multiplying retries.
 */
@Internal
final class AdaptiveConcurrencyLimit {
    static final long DECREASE_COOLDOWN_NANOS = 100_000_000L;

    private final AIMDScalingStrategy scaling;
    private final LongSupplier nanoClock;
    private final Deque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private int limit;
    private int inFlight;
    private long lastDecreaseNanos;
    private boolean decreased;

    AdaptiveConcurrencyLimit(int capacity) {
        this(capacity, System::nanoTime);
    }

    /** With {@code nanoClock} in place of {@link System#nanoTime} for the decrease cooldown. */
    @VisibleForTesting
    AdaptiveConcurrencyLimit(int capacity, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.scaling =
                AIMDScalingStrategy.builder(capacity)
                        .setIncreaseRate(Math.max(1, capacity / 10))
                        .setDecreaseFactor(0.5)
                        .build();
        this.limit = capacity;
    }

    /** Completes when the caller may start a call; it must {@link #release} it afterwards. */
    CompletableFuture<Void> acquire() {
        synchronized (this) {
            if (inFlight < limit) {
                inFlight++;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> permit = new CompletableFuture<>();
            waiting.addLast(permit);
            return permit;
        }
    }

    /** A call ended; {@code succeeded} raises the limit. */
    void release(boolean succeeded) {
        List<CompletableFuture<Void>> granted = new ArrayList<>();
        synchronized (this) {
            inFlight--;
            if (succeeded) {
                limit = scaling.scaleUp(limit);
            }
            while (inFlight < limit && !waiting.isEmpty()) {
                inFlight++;
                granted.add(waiting.pollFirst());
            }
        }
        // Outside the lock: completing runs the waiting calls' continuations.
        granted.forEach(permit -> permit.complete(null));
    }

    /** An attempt was throttled or found the service overloaded. */
    synchronized void throttled() {
        long now = nanoClock.getAsLong();
        if (!decreased || now - lastDecreaseNanos >= DECREASE_COOLDOWN_NANOS) {
            limit = scaling.scaleDown(limit);
            lastDecreaseNanos = now;
            decreased = true;
        }
    }

    synchronized int limit() {
        return limit;
    }

    synchronized int inFlight() {
        return inFlight;
    }
}
