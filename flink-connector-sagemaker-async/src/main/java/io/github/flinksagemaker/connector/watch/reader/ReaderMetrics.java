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
    final Counter objectsDeleted;

    public ReaderMetrics(MetricGroup readerGroup) {
        MetricGroup group = readerGroup.addGroup("sagemakerAsync");
        this.getRequests = group.counter("getRequests");
        this.bytesRead = group.counter("bytesRead");
        this.objectsVanished = group.counter("objectsVanished");
        this.objectsDeleted = group.counter("objectsDeleted");
    }
}
