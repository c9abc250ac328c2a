package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.RetryCounters;
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
final class SqlFunctionMetrics {
    private final Map<InferenceStatus, Counter> outcomes = new EnumMap<>(InferenceStatus.class);
    private final RetryCounters retries;

    SqlFunctionMetrics(MetricGroup functionGroup) {
        MetricGroup group = functionGroup.addGroup("sagemakerAsync");
        outcomes.put(InferenceStatus.SUCCESS, group.counter("succeeded"));
        outcomes.put(InferenceStatus.MODEL_ERROR, group.counter("modelErrors"));
        outcomes.put(InferenceStatus.REJECTED, group.counter("rejected"));
        outcomes.put(InferenceStatus.TIMED_OUT, group.counter("timedOut"));
        outcomes.put(InferenceStatus.UNREADABLE, group.counter("unreadable"));
        this.retries = new RetryCounters(group);
    }

    void outcome(InferenceStatus status) {
        outcomes.get(status).inc();
    }

    /** Counts the retries and throttled attempts of the function's calls. */
    RetryCounters retries() {
        return retries;
    }
}
