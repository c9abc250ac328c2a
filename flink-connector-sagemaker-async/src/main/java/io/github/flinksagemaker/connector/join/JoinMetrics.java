package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.function.LongSupplier;

/** The join's metrics, under {@code sagemakerAsync}: pending gauge and what it dropped. */
@Internal
final class JoinMetrics {
    final Counter duplicatesDropped;
    final Counter unmatchedOutputsDropped;

    JoinMetrics(MetricGroup operatorGroup, LongSupplier pending) {
        MetricGroup group = operatorGroup.addGroup("sagemakerAsync");
        this.duplicatesDropped = group.counter("duplicatesDropped");
        this.unmatchedOutputsDropped = group.counter("unmatchedOutputsDropped");
        group.gauge("pending", pending::getAsLong);
    }
}
