package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The reader's metrics, under {@code sagemakerAsync}. They are counted in the fetcher thread and in
 * the SDK's completion threads (bytes read, deletes), never in the task thread alone, hence
 * thread-safe counters.
 */
@Internal
public final class ReaderMetrics {
    final Counter getRequests;
    final Counter bytesRead;
    final Counter objectsVanished;
    final Counter objectsUnreadable;
    final Counter readRetries;
    final Counter objectsDeleted;
    final Counter deleteFailures;

    public ReaderMetrics(MetricGroup readerGroup, ByteBudget budget) {
        MetricGroup group = ConnectorMetricGroup.in(readerGroup);
        this.getRequests = counter(group, "getRequests");
        this.bytesRead = counter(group, "bytesRead");
        this.objectsVanished = counter(group, "objectsVanished");
        this.objectsUnreadable = counter(group, "objectsUnreadable");
        this.readRetries = counter(group, "readRetries");
        this.objectsDeleted = counter(group, "objectsDeleted");
        this.deleteFailures = counter(group, "deleteFailures");
        group.gauge("bufferedBytes", budget::held);
    }

    private static Counter counter(MetricGroup group, String name) {
        return group.counter(name, new ThreadSafeSimpleCounter());
    }
}
