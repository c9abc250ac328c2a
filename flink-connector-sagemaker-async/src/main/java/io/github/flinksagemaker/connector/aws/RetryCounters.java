package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** Counts retries and throttled attempts as {@code retries} and {@code throttled} in a group. */
@Internal
public final class RetryCounters implements RetryListener {
    private final Counter retries;
    private final Counter throttled;

    public RetryCounters(MetricGroup group) {
        this.retries = group.counter("retries");
        this.throttled = group.counter("throttled");
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
