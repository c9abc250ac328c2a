package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.RetryCounters;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.EnumMap;
import java.util.Map;

/**
 * The SQL functions' metrics, in the {@code sagemakerAsync} group like the DataStream operators':
 * one counter per row outcome (each row is counted once, however many attempts it took), so rows
 * answered with NULL or an error are always visible; resubmissions and the SDK's retries apart.
 */
@Internal
final class SqlFunctionMetrics {
    private final Map<RowStatus, Counter> outcomes = new EnumMap<>(RowStatus.class);
    private final Counter nullInputs;
    private final Counter submitted;
    private final Counter resubmissions;
    private final RetryCounters retries;

    SqlFunctionMetrics(MetricGroup functionGroup) {
        MetricGroup group = functionGroup.addGroup("sagemakerAsync");
        outcomes.put(RowStatus.SUCCESS, group.counter("succeeded"));
        outcomes.put(RowStatus.MODEL_ERROR, group.counter("modelErrors"));
        outcomes.put(RowStatus.REJECTED, group.counter("rejected"));
        outcomes.put(RowStatus.TIMED_OUT, group.counter("timedOut"));
        outcomes.put(RowStatus.UNREADABLE, group.counter("unreadable"));
        outcomes.put(RowStatus.INVALID_OUTPUT, group.counter("invalidOutputs"));
        this.nullInputs = group.counter("nullInputs");
        this.submitted = group.counter("submitted");
        this.resubmissions = group.counter("resubmissions");
        this.retries = new RetryCounters(group);
    }

    /** A row's final outcome. */
    void outcome(RowStatus status) {
        outcomes.get(status).inc();
    }

    /** A row with no input: NULL out, nothing invoked. */
    void nullInput() {
        nullInputs.inc();
    }

    /** SAGEMAKER_SUBMIT_ASYNC: a row whose request the service accepted. */
    void submitted() {
        submitted.inc();
    }

    /** ML_PREDICT under RETRY: a row submitted again after a model error. */
    void resubmitted() {
        resubmissions.inc();
    }

    /** Counts the retries and throttled attempts of the function's calls. */
    RetryCounters retries() {
        return retries;
    }
}
