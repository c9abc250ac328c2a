package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.join.TaggedOutput;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits a notification's output and remembers its message for deletion after the checkpoint. */
@Internal
final class NotificationRecordEmitter
        implements RecordEmitter<ReceivedNotification, TaggedOutput, QueueSplit> {
    private final ReceiptTracker tracker;

    NotificationRecordEmitter(ReceiptTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void emitRecord(
            ReceivedNotification received, SourceOutput<TaggedOutput> output, QueueSplit split) {
        output.collect(received.output());
        tracker.emitted(received.receiptHandle());
    }
}
