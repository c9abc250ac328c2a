package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.RetryCounters;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The SQL functions' metrics, in the {@code sagemakerAsync} group like the DataStream operators':
 * one counter per row outcome (each row is counted once, however many attempts it took), so rows
 * answered with NULL or an error are always visible; resubmissions and the SDK's retries apart.
 * Rows end on the SDK's threads, many at once, hence thread-safe counters.
 */
@Internal
final class SqlFunctionMetrics {
    private final Map<RowStatus, Counter> outcomes = new EnumMap<>(RowStatus.class);
    private final Counter nullInputs;
    private final Counter submitted;
    private final Counter resubmissions;
    private final Counter submissionsReused;
    private final RetryCounters retries;
    private final MetricGroup group;

    SqlFunctionMetrics(MetricGroup functionGroup) {
        this.group = ConnectorMetricGroup.in(functionGroup);
        // Named like the one-call API's results counters; the earlier names count the same rows
        // for one more release, so that existing dashboards keep working.
        outcomes.put(RowStatus.SUCCESS, counter(group, "resultsSuccess", "succeeded"));
        outcomes.put(RowStatus.MODEL_ERROR, counter(group, "resultsModelError", "modelErrors"));
        outcomes.put(RowStatus.REJECTED, counter(group, "resultsRejected", "rejected"));
        outcomes.put(RowStatus.TIMED_OUT, counter(group, "resultsTimedOut", "timedOut"));
        outcomes.put(RowStatus.UNREADABLE, counter(group, "resultsUnreadable", "unreadable"));
        outcomes.put(
                RowStatus.INVALID_OUTPUT, counter(group, "resultsInvalidOutput", "invalidOutputs"));
        this.nullInputs = counter(group, "nullInputs");
        this.submitted = counter(group, "submitted");
        this.resubmissions = counter(group, "resubmissions");
        this.submissionsReused = counter(group, "submissionsReused");
        this.retries = new RetryCounters(group);
    }

    private static Counter counter(MetricGroup group, String name) {
        return group.counter(name, new ThreadSafeSimpleCounter());
    }

    /** One counter, registered under its name and under its deprecated former name. */
    private static Counter counter(MetricGroup group, String name, String deprecatedName) {
        Counter counter = counter(group, name);
        group.counter(deprecatedName, counter);
        return counter;
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

    /**
     * A row with a given inference ID answered by the earlier submission of that ID (a replay after
     * a failover), not invoked again.
     */
    void submissionReused() {
        submissionsReused.inc();
    }

    /**
     * Reads of a submission record that S3 refused (403): each such row was submitted as if its ID
     * had no record. Without {@code s3:ListBucket} S3 answers 403 for a missing record too, so the
     * gauge counts those as well; a role without {@code s3:GetObject} shows it growing with every
     * row, and its replays are invoked again.
     */
    void submissionRecordReadsDenied(LongSupplier denied) {
        group.gauge("submissionRecordReadsDenied", (Gauge<Long>) denied::getAsLong);
    }

    /** Counts the retries and throttled attempts of the function's calls. */
    RetryCounters retries() {
        return retries;
    }
}
