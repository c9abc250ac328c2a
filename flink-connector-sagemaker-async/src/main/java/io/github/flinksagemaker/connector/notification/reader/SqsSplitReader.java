package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.notification.CompletionNotification;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands over to the reader what the {@link MessageReceiver} receives, as the {@link
 * NotificationResolver} resolves it: only what is handed over here gets deleted, after its
 * checkpoint.
 *
 * <p>Two bounds keep a reader from running away from its checkpoints and its memory: it stops
 * receiving while it holds {@code max-undeleted-messages} messages that wait for a checkpoint, and
 * it hands over outputs only within the reader's {@link ByteBudget} ({@code max-buffered-bytes}).
 *
 * <p>Once the enumerator says no more results are needed (the reader sets {@code noMoreResults} and
 * wakes this up), it stops receiving, hands over what it already received (receives still in flight
 * are aborted: their messages go back to the queue at once), and reports its splits finished in the
 * same batch as those last notifications, so they are emitted first and their messages are deleted
 * after their checkpoint as always. Queue splits end no other way.
 */
@Internal
final class SqsSplitReader implements SplitReader<ReceivedNotification, QueueSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SqsSplitReader.class);

    /** How long a fetch waits before returning empty while too many messages wait for deletion. */
    static final long PAUSED_FETCH_MILLIS = 100;

    /** How long a fetch waits before returning empty while the byte budget is full. */
    private static final long BUDGET_FULL_FETCH_MILLIS = 10;

    /** A message that is this job's notification, waiting for room in the byte budget. */
    private record Usable(QueueMessage message, CompletionNotification notification) {}

    private final SqsCompletionConfig config;
    private final MessageReceiver receiver;
    private final NotificationResolver resolver;
    private final VisibilityTimeoutCheck visibilityTimeoutCheck;
    private final ReceiptTracker tracker;
    private final ByteBudget budget;
    private final MessageSettler settler;

    /** Shared with the reader, which sets it on the enumerator's NoMoreResultsEvent. */
    private final AtomicBoolean noMoreResults;

    private final Set<String> splitIds = new LinkedHashSet<>();

    /** Received and resolved to a notification, not yet handed over: the budget had no room. */
    private final Deque<Usable> waitingForBudget = new ArrayDeque<>();

    /** Whether receiving is paused because too many messages wait for a checkpoint. */
    private volatile boolean receivingPaused;

    SqsSplitReader(
            SqsCompletionConfig config,
            MessageReceiver receiver,
            NotificationResolver resolver,
            VisibilityTimeoutCheck visibilityTimeoutCheck,
            ReceiptTracker tracker,
            ByteBudget budget,
            MessageSettler settler,
            AtomicBoolean noMoreResults) {
        this.config = config;
        this.receiver = receiver;
        this.resolver = resolver;
        this.visibilityTimeoutCheck = visibilityTimeoutCheck;
        this.tracker = tracker;
        this.budget = budget;
        this.settler = settler;
        this.noMoreResults = noMoreResults;
    }

    @Override
    public RecordsWithSplitIds<ReceivedNotification> fetch() {
        RecordsBySplits.Builder<ReceivedNotification> records = new RecordsBySplits.Builder<>();
        if (splitIds.isEmpty()) {
            return records.build();
        }
        if (noMoreResults.get()) {
            return finishSplits(records);
        }
        visibilityTimeoutCheck.checkOnce();
        if (waitingForBudget.isEmpty()) {
            if (tooManyUndeleted()) {
                // An empty fetch after a short wait: the job slows down, it does not fail.
                receiver.waitForWakeUp(PAUSED_FETCH_MILLIS);
                return records.build();
            }
            long receivedMillis = System.currentTimeMillis();
            accept(receiver.receive(), receivedMillis);
        }
        handOverWithinBudget(records);
        return records.build();
    }

    /**
     * No more results are needed: stops receiving, hands over what was received, then reports the
     * splits finished after those records, so that nothing received is dropped on the way out.
     */
    private RecordsWithSplitIds<ReceivedNotification> finishSplits(
            RecordsBySplits.Builder<ReceivedNotification> records) {
        long receivedMillis = System.currentTimeMillis();
        accept(receiver.stop(), receivedMillis);
        handOverWithinBudget(records);
        if (!waitingForBudget.isEmpty()) {
            return records.build(); // the rest once emission gives bytes back
        }
        LOG.info(
                "No more results are needed: splits {} of SQS queue {} finish, nothing more is"
                        + " received",
                splitIds,
                config.queueUrl());
        splitIds.forEach(records::addFinishedSplit);
        splitIds.clear();
        return records.build();
    }

    /** Keeps this job's notifications among {@code messages} for handing over. */
    private void accept(List<QueueMessage> messages, long receivedMillis) {
        for (QueueMessage message : messages) {
            CompletionNotification notification =
                    resolver.usableNotification(message, receivedMillis);
            if (notification != null) {
                waitingForBudget.add(new Usable(message, notification));
            }
        }
    }

    private void handOverWithinBudget(RecordsBySplits.Builder<ReceivedNotification> records) {
        String splitId = splitIds.iterator().next();
        int handedOver = handOver(splitId, records);
        if (handedOver == 0 && !waitingForBudget.isEmpty()) {
            // Emitting gives bytes back; until then, do not spin.
            receiver.waitForWakeUp(BUDGET_FULL_FETCH_MILLIS);
        }
    }

    /**
     * Hands over the waiting notifications that fit in the byte budget. An included response takes
     * its size; a GET takes the content limit until it completes (the size is known only then),
     * then its actual size, given back once emitted.
     */
    private int handOver(String splitId, RecordsBySplits.Builder<ReceivedNotification> records) {
        int handedOver = 0;
        List<CompletableFuture<ReceivedNotification>> reads = new ArrayList<>();
        while (!waitingForBudget.isEmpty()) {
            Usable next = waitingForBudget.peekFirst();
            ReceivedNotification included =
                    next.notification().isContentIncluded()
                            ? resolver.included(next.message(), next.notification())
                            : null;
            long bytes = included != null ? included.budgetBytes() : config.maxContentBytes();
            if (!budget.tryTake(bytes)) {
                break;
            }
            waitingForBudget.pollFirst();
            if (included != null) {
                handOver(splitId, records, included);
                handedOver++;
            } else {
                reads.add(read(next, bytes));
            }
        }
        for (CompletableFuture<ReceivedNotification> read : reads) {
            ReceivedNotification received = joinUnwrapped(read);
            if (received != null) {
                handOver(splitId, records, received);
                handedOver++;
            }
        }
        return handedOver;
    }

    /** Holds {@code reservedBytes} of the budget until the size of what was read is known. */
    private CompletableFuture<ReceivedNotification> read(Usable usable, long reservedBytes) {
        return resolver.read(usable.message(), usable.notification())
                .whenComplete(
                        (read, error) ->
                                budget.giveBack(
                                        reservedBytes - (read != null ? read.budgetBytes() : 0)));
    }

    private void handOver(
            String splitId,
            RecordsBySplits.Builder<ReceivedNotification> records,
            ReceivedNotification received) {
        tracker.received(received.receiptHandle());
        records.add(splitId, received);
    }

    /**
     * Whether this reader holds so many messages waiting for a checkpoint that it must stop
     * receiving: checkpoints that keep failing would otherwise let receipt handles, and messages in
     * flight, grow without bound (SQS stops at 120,000 in flight per queue). Logs each change.
     */
    private boolean tooManyUndeleted() {
        int held = tracker.held();
        if (held >= config.maxUndeletedMessages()) {
            if (!receivingPaused) {
                receivingPaused = true;
                LOG.warn(
                        "Receiving from SQS queue {} is paused: this reader holds {} messages"
                                + " that wait for a checkpoint to complete before they are"
                                + " deleted ('{}' is {}). Checkpoints are failing or not"
                                + " completing, or the limit is too low for the messages a"
                                + " reader receives per checkpoint interval. Receiving resumes"
                                + " once a checkpoint completes.",
                        config.queueUrl(),
                        held,
                        CompletionOptions.SQS_MAX_UNDELETED_MESSAGES.key(),
                        config.maxUndeletedMessages());
            }
            return true;
        }
        if (receivingPaused) {
            receivingPaused = false;
            LOG.info(
                    "Receiving from SQS queue {} resumed: {} messages wait for deletion",
                    config.queueUrl(),
                    held);
        }
        return false;
    }

    /** For the {@code sqsReceivingPaused} gauge; read from the metric reporter's thread. */
    boolean isReceivingPaused() {
        return receivingPaused;
    }

    /** A fatal error surfaces as itself, not wrapped, so its message reaches the user. */
    private static <T> T joinUnwrapped(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw e;
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<QueueSplit> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported splits change: " + change.getClass().getSimpleName());
        }
        change.splits().forEach(split -> splitIds.add(split.splitId()));
    }

    /** Ends a wait; receives in flight keep going, so no message they bring is lost. */
    @Override
    public void wakeUp() {
        receiver.wakeUp();
    }

    /**
     * Aborts the receives in flight and makes visible again what was received and not handed over,
     * so that a restarted job gets those messages now rather than after their visibility timeout.
     */
    @Override
    public void close() {
        receiver.wakeUp();
        List<String> notHandedOver = new ArrayList<>();
        // A receive aborted in time releases what it brings (the SqsQueue contract); one that had
        // already completed brought messages that are ours to release.
        receiver.stop().forEach(message -> notHandedOver.add(message.receiptHandle()));
        waitingForBudget.forEach(usable -> notHandedOver.add(usable.message().receiptHandle()));
        waitingForBudget.clear();
        if (!notHandedOver.isEmpty()) {
            settler.release(notHandedOver);
        }
    }
}
