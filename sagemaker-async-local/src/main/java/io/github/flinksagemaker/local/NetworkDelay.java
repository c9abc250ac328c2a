package io.github.flinksagemaker.local;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed delay added to every client request the local endpoint serves, SageMaker and S3 alike, so
 * that benchmarks can show what a saved round trip is worth. Zero (the default) adds nothing.
 */
final class NetworkDelay {
    private volatile long nanos;

    void set(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("networkDelay must not be negative, got " + delay);
        }
        this.nanos = delay.toNanos();
    }

    Duration get() {
        return Duration.ofNanos(nanos);
    }

    /** Holds the serving thread for the delay, as a slower network would hold the reply. */
    void pause() {
        long remaining = nanos;
        if (remaining <= 0) {
            return;
        }
        long deadline = System.nanoTime() + remaining;
        while (remaining > 0) {
            LockSupport.parkNanos(remaining);
            remaining = deadline - System.nanoTime();
        }
    }
}
