package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsCompletionSource.NotificationConverter;
import io.github.flinksagemaker.connector.notification.SqsQueue;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.watch.reader.ByteBudget;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.core.io.InputStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads completion notifications from SQS and deletes each message once the checkpoint covering its
 * emission completes (in batches of ten), so a restore never needs a message that is gone. A
 * message that could not be deleted, or that was received again after its visibility timeout,
 * reaches the join a second time, which drops it: SNS and SQS deliver at least once anyway. On
 * close, messages whose checkpoint this reader has not heard complete are made visible again (a few
 * may be covered already, their notice lost in the failover: the join drops them), so a restarted
 * job receives them at once rather than after their visibility timeout. A job without checkpoints
 * (decided when the reader starts, from the job's configuration: see {@link JobCheckpointing})
 * deletes each message as soon as it is emitted, since no checkpoint would ever complete.
 */
@Internal
public final class SqsCompletionSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<
                ReceivedNotification, T, QueueSplit, QueueSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SqsCompletionSourceReader.class);

    /** How long a closing reader lets its last deletes and releases finish. */
    static final Duration SETTLE_ON_CLOSE = Duration.ofSeconds(5);

    private final SqsQueue queue;
    private final String queueUrl;
    private final S3ObjectStore store;
    private final ReceiptTracker tracker;
    private final MessageSettler settler;
    private final boolean deleteOnEmit;

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
        ReceiptTracker tracker = new ReceiptTracker();
        ByteBudget budget = new ByteBudget(config.maxBufferedBytes());
        NotificationMetrics metrics =
                new NotificationMetrics(context.metricGroup(), tracker, budget);
        return new SqsCompletionSourceReader<>(
                queue,
                store,
                config,
                converter,
                context,
                tracker,
                budget,
                new MessageSettler(queue, config.queueUrl(), metrics),
                metrics,
                JobCheckpointing.interval(context));
    }

    private SqsCompletionSourceReader(
            SqsQueue queue,
            S3ObjectStore store,
            SqsCompletionConfig config,
            NotificationConverter<T> converter,
            SourceReaderContext context,
            ReceiptTracker tracker,
            ByteBudget budget,
            MessageSettler settler,
            NotificationMetrics metrics,
            Duration checkpointInterval) {
        super(
                () ->
                        new SqsSplitReader(
                                queue,
                                store,
                                config,
                                checkpointInterval,
                                tracker,
                                budget,
                                settler,
                                metrics),
                new NotificationRecordEmitter<>(tracker, converter, budget),
                new Configuration(),
                context);
        this.queue = queue;
        this.queueUrl = config.queueUrl();
        this.store = store;
        this.tracker = tracker;
        this.settler = settler;
        this.deleteOnEmit = checkpointInterval == null;
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
            settler.delete(tracker.takeEmitted());
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
        settler.delete(tracker.checkpointComplete(checkpointId));
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

    /**
     * Stops the fetcher (whose split reader releases what it received and did not hand over), then
     * releases what no checkpoint known to have completed covers, and lets deletes and releases
     * finish before closing the client: the last deletes before a stop-with-savepoint are issued
     * just before.
     */
    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            try {
                List<String> uncovered = tracker.takeUncovered();
                if (!uncovered.isEmpty()) {
                    LOG.info(
                            "Making {} SQS messages that no checkpoint known to have completed"
                                    + " covers visible again in {}",
                            uncovered.size(),
                            queueUrl);
                    settler.release(uncovered);
                }
                settler.awaitInFlight(SETTLE_ON_CLOSE);
            } finally {
                try {
                    queue.close();
                } finally {
                    store.close();
                }
            }
        }
    }
}
