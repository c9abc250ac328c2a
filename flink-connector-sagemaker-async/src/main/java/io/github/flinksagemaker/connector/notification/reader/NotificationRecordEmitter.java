package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.notification.SqsCompletionSource.NotificationConverter;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/** Emits a notification's output and remembers its message for deletion after the checkpoint. */
@Internal
final class NotificationRecordEmitter<T>
        implements RecordEmitter<ReceivedNotification, T, QueueSplit> {
    private final ReceiptTracker tracker;
    private final NotificationConverter<T> converter;

    NotificationRecordEmitter(ReceiptTracker tracker, NotificationConverter<T> converter) {
        this.tracker = tracker;
        this.converter = converter;
    }

    @Override
    public void emitRecord(
            ReceivedNotification received, SourceOutput<T> output, QueueSplit split) {
        output.collect(converter.convert(received.output()));
        tracker.emitted(received.receiptHandle());
    }
}
