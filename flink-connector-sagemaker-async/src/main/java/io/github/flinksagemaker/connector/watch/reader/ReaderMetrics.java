package io.github.flinksagemaker.connector.watch.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** The reader's metrics, under {@code sagemakerAsync}. */
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
        MetricGroup group = readerGroup.addGroup("sagemakerAsync");
        this.getRequests = group.counter("getRequests");
        this.bytesRead = group.counter("bytesRead");
        this.objectsVanished = group.counter("objectsVanished");
        this.objectsUnreadable = group.counter("objectsUnreadable");
        this.readRetries = group.counter("readRetries");
        this.objectsDeleted = group.counter("objectsDeleted");
        this.deleteFailures = group.counter("deleteFailures");
        group.gauge("bufferedBytes", budget::held);
    }
}
