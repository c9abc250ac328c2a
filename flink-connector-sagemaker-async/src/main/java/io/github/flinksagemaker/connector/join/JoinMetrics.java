package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.function.LongSupplier;

/**
 * The join's metrics, under {@code sagemakerAsync}: the pending gauge, repeated IDs, and the
 * objects it dropped, each for its own reason, so that a counter that must stay zero can be
 * watched.
 */
@Internal
final class JoinMetrics {
    /** A pending record for an inference that is already pending or decided: REJECTED. */
    final Counter duplicateIdsRejected;

    /**
     * A result object for an inference that is already decided (a second copy, or too late), or
     * that a fresher one replaced while both waited for their pending record.
     */
    final Counter lateOutputsDropped;

    /** A result object older than its submission: left over from an earlier use of the ID. */
    final Counter staleOutputsDropped;

    /** A result object whose pending record never came within the retention. */
    final Counter unmatchedOutputsDropped;

    /** Looks at a restored pending inference's locations, and those that found its result. */
    final Counter restoredLooks;

    final Counter restoredLooksFound;

    /**
     * Looks at a pending inference's locations after the results ended first (a drain), and those
     * that found its result.
     */
    final Counter drainLooks;

    final Counter drainLooksFound;

    JoinMetrics(MetricGroup operatorGroup, LongSupplier pending) {
        MetricGroup group = ConnectorMetricGroup.in(operatorGroup);
        this.duplicateIdsRejected = group.counter("duplicateIdsRejected");
        this.lateOutputsDropped = group.counter("lateOutputsDropped");
        this.staleOutputsDropped = group.counter("staleOutputsDropped");
        this.unmatchedOutputsDropped = group.counter("unmatchedOutputsDropped");
        this.restoredLooks = group.counter("restoredLooks");
        this.restoredLooksFound = group.counter("restoredLooksFound");
        this.drainLooks = group.counter("drainLooks");
        this.drainLooksFound = group.counter("drainLooksFound");
        group.gauge("pending", pending::getAsLong);
    }
}
