package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsCompletionSource.NotificationConverter;
import io.github.flinksagemaker.connector.notification.SqsQueue;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.core.io.InputStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
 *
 * <p>Its queue split never ends by itself: the reader finishes when the enumerator signals no more
 * splits and sends {@link NoMoreResultsEvent} (the job's bounded input is done and no result is
 * pending). The split reader then hands over what it received and finishes the split; the messages
 * are deleted after the checkpoint covering their emission, as always (Flink takes a final
 * checkpoint after the source finishes), and released on close if none completes.
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

    /** Set on {@link NoMoreResultsEvent}; every split reader of this reader sees it. */
    private final AtomicBoolean noMoreResults;

    /** The latest split reader, to wake up when {@link #noMoreResults} is set. */
    private final AtomicReference<SqsSplitReader> splitReader;

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
        AtomicReference<SqsSplitReader> splitReader = new AtomicReference<>();
        NotificationMetrics metrics =
                new NotificationMetrics(
                        context.metricGroup(),
                        tracker,
                        budget,
                        () -> {
                            SqsSplitReader current = splitReader.get();
                            return current != null && current.isReceivingPaused();
                        });
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
                JobCheckpointing.interval(context),
                new AtomicBoolean(),
                splitReader);
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
            Duration checkpointInterval,
            AtomicBoolean noMoreResults,
            AtomicReference<SqsSplitReader> splitReader) {
        super(
                () -> {
                    SqsSplitReader created =
                            new SqsSplitReader(
                                    config,
                                    new MessageReceiver(queue, config, metrics),
                                    new NotificationResolver(store, config, metrics),
                                    new VisibilityTimeoutCheck(queue, config, checkpointInterval),
                                    tracker,
                                    budget,
                                    settler,
                                    noMoreResults);
                    splitReader.set(created);
                    return created;
                },
                new NotificationRecordEmitter<>(tracker, converter, budget),
                // The job's configuration, so that source.reader.element.queue.capacity and its
                // siblings can be tuned, as for Flink's own sources.
                context.getConfiguration(),
                context);
        this.queue = queue;
        this.queueUrl = config.queueUrl();
        this.store = store;
        this.tracker = tracker;
        this.settler = settler;
        this.deleteOnEmit = checkpointInterval == null;
        this.noMoreResults = noMoreResults;
        this.splitReader = splitReader;
        LOG.info(
                "Reading notifications from {}; messages are deleted {}",
                config.queueUrl(),
                deleteOnEmit
                        ? "as they are emitted (the job has no execution.checkpointing.interval)"
                        : "after the checkpoint covering their emission");
    }

    @VisibleForTesting
    SourceReaderOptions options() {
        return options;
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

    /**
     * On {@link NoMoreResultsEvent} the split reader finishes its splits once what it received is
     * handed over; it is woken up, since it may be waiting for a long poll. Other events are
     * handled as before.
     */
    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (!(event instanceof NoMoreResultsEvent)) {
            super.handleSourceEvents(event);
            return;
        }
        if (!noMoreResults.getAndSet(true)) {
            LOG.info("No more results are needed: finishing the reader of {}", queueUrl);
        }
        SqsSplitReader current = splitReader.get();
        if (current != null) {
            current.wakeUp();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, QueueSplit> finishedSplitIds) {
        // Only after NoMoreResultsEvent; the emitted messages still wait for their checkpoint.
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
