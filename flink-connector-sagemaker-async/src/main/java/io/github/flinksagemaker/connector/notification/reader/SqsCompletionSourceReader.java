package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsCompletionSource.NotificationConverter;
import io.github.flinksagemaker.connector.notification.SqsQueue;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.core.io.InputStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Reads completion notifications from SQS and deletes each message once the checkpoint covering its
 * emission completes (in batches of ten), so a restore never needs a message that is gone; in a job
 * without checkpoints (decided when the reader starts, from the job's configuration: see {@link
 * JobCheckpointing}) as soon as it is emitted, since no checkpoint would ever complete. A message
 * that could not be deleted, or that was received again after its visibility timeout, reaches the
 * join a second time, which drops it: SNS and SQS deliver at least once anyway.
 */
@Internal
public final class SqsCompletionSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<
                ReceivedNotification, T, QueueSplit, QueueSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SqsCompletionSourceReader.class);

    private final SqsQueue queue;
    private final S3ObjectStore store;
    private final ReceiptTracker tracker;
    private final boolean deleteOnEmit;
    private final NotificationMetrics metrics;

    /**
     * @param queue polled by the split reader and used for deletes; closed with this reader
     * @param store reads outputs that notifications do not include; closed with this reader
     */
    public static <T> SqsCompletionSourceReader<T> create(
            SqsQueue queue,
            S3ObjectStore store,
            SqsCompletionConfig config,
            NotificationConverter<T> converter,
            SourceReaderContext context) {
        NotificationMetrics metrics = new NotificationMetrics(context.metricGroup());
        return new SqsCompletionSourceReader<>(
                queue, store, config, converter, context, metrics, new ReceiptTracker());
    }

    private SqsCompletionSourceReader(
            SqsQueue queue,
            S3ObjectStore store,
            SqsCompletionConfig config,
            NotificationConverter<T> converter,
            SourceReaderContext context,
            NotificationMetrics metrics,
            ReceiptTracker tracker) {
        super(
                () -> new SqsSplitReader(queue, store, config, metrics),
                new NotificationRecordEmitter<>(tracker, converter),
                new Configuration(),
                context);
        this.queue = queue;
        this.store = store;
        this.tracker = tracker;
        this.deleteOnEmit = !JobCheckpointing.isEnabled(context);
        this.metrics = metrics;
        context.metricGroup().addGroup("sagemakerAsync").gauge("sqsMessagesHeld", tracker::held);
        LOG.info(
                "Reading notifications from {}; messages are deleted {}",
                config.queueUrl(),
                deleteOnEmit
                        ? "as they are emitted (the job has no execution.checkpointing.interval)"
                        : "after the checkpoint covering their emission");
    }

    @Override
    public void start() {
        // Splits are pushed by the enumerator when this reader registers.
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        InputStatus status = super.pollNext(output);
        if (deleteOnEmit) {
            delete(tracker.takeAll());
        }
        return status;
    }

    @Override
    public List<QueueSplit> snapshotState(long checkpointId) {
        tracker.snapshot(checkpointId);
        return super.snapshotState(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        delete(tracker.checkpointComplete(checkpointId));
    }

    private void delete(List<String> receiptHandles) {
        for (int from = 0; from < receiptHandles.size(); from += SqsQueue.MAX_BATCH) {
            List<String> batch =
                    receiptHandles.subList(
                            from, Math.min(receiptHandles.size(), from + SqsQueue.MAX_BATCH));
            queue.delete(List.copyOf(batch))
                    .whenComplete(
                            (failed, error) -> {
                                int notDeleted = error != null ? batch.size() : failed;
                                metrics.messagesDeleted.inc(batch.size() - notDeleted);
                                if (notDeleted > 0) {
                                    metrics.deleteFailures.inc(notDeleted);
                                    LOG.warn(
                                            "Could not delete {} of {} SQS messages{}; they come"
                                                    + " back after their visibility timeout and"
                                                    + " are dropped as second copies",
                                            notDeleted,
                                            batch.size(),
                                            error != null ? ": " + AwsErrors.describe(error) : "");
                                }
                            });
        }
    }

    @Override
    protected void onSplitFinished(Map<String, QueueSplit> finishedSplitIds) {
        // Queue splits never finish.
    }

    @Override
    protected QueueSplit initializedState(QueueSplit split) {
        return split;
    }

    @Override
    protected QueueSplit toSplitType(String splitId, QueueSplit state) {
        return state;
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            try {
                queue.close();
            } finally {
                store.close();
            }
        }
    }
}
