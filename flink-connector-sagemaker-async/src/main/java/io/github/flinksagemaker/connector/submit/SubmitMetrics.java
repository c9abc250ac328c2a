package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.RetryCounters;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The submit operator's metrics, in a {@code sagemakerAsync} group: submissions and bytes by path,
 * retries, throttled attempts, rejections, calls in flight and their current limit, and submit
 * latency.
 *
 * <p>Submissions complete on the SDK's threads, many at once, so every counter is thread-safe; a
 * plain counter loses increments there. The histogram synchronizes itself.
 */
@Internal
final class SubmitMetrics {

    private final Counter submittedInline;
    private final Counter submittedS3;
    private final Counter bytesInline;
    private final Counter bytesS3;
    private final RetryCounters retries;
    private final Counter rejected;
    private final Counter unconfirmed;
    private final Histogram submitLatencyMillis;

    private final MetricGroup group;

    SubmitMetrics(MetricGroup operatorGroup) {
        this.group = ConnectorMetricGroup.in(operatorGroup);
        this.submittedInline = group.counter("submittedInline", new ThreadSafeSimpleCounter());
        this.submittedS3 = group.counter("submittedS3", new ThreadSafeSimpleCounter());
        this.bytesInline = group.counter("bytesInline", new ThreadSafeSimpleCounter());
        this.bytesS3 = group.counter("bytesS3", new ThreadSafeSimpleCounter());
        this.retries = new RetryCounters(group);
        this.rejected = group.counter("rejected", new ThreadSafeSimpleCounter());
        this.unconfirmed = group.counter("unconfirmed", new ThreadSafeSimpleCounter());
        this.submitLatencyMillis =
                group.histogram("submitLatencyMillis", new DescriptiveStatisticsHistogram(1000));
    }

    /** Gauges of the submitter's calls in flight and of their current limit. */
    void watch(InferenceSubmitter submitter) {
        group.gauge("inFlight", submitter::inFlight);
        group.gauge("inFlightLimit", submitter::inFlightLimit);
    }

    void submitted(SubmitPath path, int bytes, long latencyMillis) {
        (path == SubmitPath.INLINE ? submittedInline : submittedS3).inc();
        (path == SubmitPath.INLINE ? bytesInline : bytesS3).inc(bytes);
        submitLatencyMillis.update(latencyMillis);
    }

    void rejected() {
        rejected.inc();
    }

    /** A request that went out without an answer: pending under its ID, not rejected. */
    void unconfirmed() {
        unconfirmed.inc();
    }

    /** Counts the retries and throttled attempts of the submitter's calls. */
    RetryCounters retries() {
        return retries;
    }
}
