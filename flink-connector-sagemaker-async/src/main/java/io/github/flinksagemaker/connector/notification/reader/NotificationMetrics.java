package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

import java.util.function.BooleanSupplier;

/**
 * The notification reader's metrics, under {@code sagemakerAsync}; counted from the fetcher thread
 * and from SDK callbacks, hence thread-safe.
 */
@Internal
public final class NotificationMetrics {
    final Counter receiveRequests;
    final Counter messagesReceived;
    final Counter unparseableMessages;
    final Counter foreignMessages;
    final Counter responsesRead;
    final Counter responseReadRetries;
    final Counter messagesDeleted;
    final Counter deleteFailures;
    final Counter messagesReleased;

    /** Notifications without an eventTime, judged by their SentTimestamp instead. */
    final Counter eventTimesMissing;

    /**
     * @param receivingPaused whether the split reader paused receiving because too many messages
     *     wait for a checkpoint
     */
    NotificationMetrics(
            MetricGroup readerGroup,
            ReceiptTracker tracker,
            ByteBudget budget,
            BooleanSupplier receivingPaused) {
        MetricGroup group = ConnectorMetricGroup.in(readerGroup);
        this.receiveRequests = group.counter("sqsReceiveRequests", new ThreadSafeSimpleCounter());
        this.messagesReceived = group.counter("sqsMessagesReceived", new ThreadSafeSimpleCounter());
        this.unparseableMessages =
                group.counter("sqsUnparseableMessages", new ThreadSafeSimpleCounter());
        this.foreignMessages = group.counter("sqsForeignMessages", new ThreadSafeSimpleCounter());
        this.responsesRead = group.counter("responsesReadFromS3", new ThreadSafeSimpleCounter());
        this.responseReadRetries =
                group.counter("responseReadRetries", new ThreadSafeSimpleCounter());
        this.messagesDeleted = group.counter("sqsMessagesDeleted", new ThreadSafeSimpleCounter());
        this.deleteFailures = group.counter("sqsDeleteFailures", new ThreadSafeSimpleCounter());
        this.messagesReleased = group.counter("sqsMessagesReleased", new ThreadSafeSimpleCounter());
        group.gauge("sqsMessagesHeld", tracker::held);
        group.gauge("sqsReceivingPaused", () -> receivingPaused.getAsBoolean() ? 1 : 0);
        group.gauge("bufferedBytes", budget::held);
        this.eventTimesMissing =
                group.counter("sqsEventTimesMissing", new ThreadSafeSimpleCounter());
    }
}
