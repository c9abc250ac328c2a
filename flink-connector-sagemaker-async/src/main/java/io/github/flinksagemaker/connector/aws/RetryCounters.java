package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * Counts retries and throttled attempts as {@code retries} and {@code throttled} in a group. The
 * SDK reports them from its own threads, many calls at once, hence thread-safe counters.
 */
@Internal
public final class RetryCounters implements RetryListener {
    private final Counter retries;
    private final Counter throttled;

    public RetryCounters(MetricGroup group) {
        this.retries = group.counter("retries", new ThreadSafeSimpleCounter());
        this.throttled = group.counter("throttled", new ThreadSafeSimpleCounter());
    }

    @Override
    public void onRetry() {
        retries.inc();
    }

    @Override
    public void onThrottled() {
        throttled.inc();
    }
}
