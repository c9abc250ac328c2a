package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.join.InferenceStatus;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Map;

/**
 * The SQL functions' metrics, in the {@code sagemakerAsync} group like the DataStream operators':
 * one counter per outcome, so rows answered with NULL or an error string are always visible.
 */
@Internal
final class SqlFunctionMetrics implements RetryListener {
    private final Map<InferenceStatus, Counter> outcomes = new EnumMap<>(InferenceStatus.class);
    private final Counter retries;
    private final Counter throttled;

    SqlFunctionMetrics(MetricGroup functionGroup) {
        MetricGroup group = functionGroup.addGroup("sagemakerAsync");
        outcomes.put(InferenceStatus.SUCCESS, group.counter("succeeded"));
        outcomes.put(InferenceStatus.MODEL_ERROR, group.counter("modelErrors"));
        outcomes.put(InferenceStatus.REJECTED, group.counter("rejected"));
        outcomes.put(InferenceStatus.TIMED_OUT, group.counter("timedOut"));
        this.retries = group.counter("retries");
        this.throttled = group.counter("throttled");
    }

    void outcome(InferenceStatus status) {
        outcomes.get(status).inc();
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
