package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.notification.SqsCompletionSource.NotificationConverter;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits a notification's output, remembers its message for deletion after the checkpoint, and gives
 * its bytes back to the reader's budget.
 */
@Internal
final class NotificationRecordEmitter<T>
        implements RecordEmitter<ReceivedNotification, T, QueueSplit> {
    private final ReceiptTracker tracker;
    private final NotificationConverter<T> converter;
    private final ByteBudget budget;

    NotificationRecordEmitter(
            ReceiptTracker tracker, NotificationConverter<T> converter, ByteBudget budget) {
        this.tracker = tracker;
        this.converter = converter;
        this.budget = budget;
    }

    @Override
    public void emitRecord(
            ReceivedNotification received, SourceOutput<T> output, QueueSplit split) {
        try {
            output.collect(converter.convert(received.output()));
        } finally {
            budget.giveBack(received.budgetBytes());
        }
        tracker.emitted(received.receiptHandle());
    }
}
