package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.notification.CompletionNotification;
import io.github.flinksagemaker.connector.notification.NotificationParser;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsQueue;
import io.github.flinksagemaker.connector.notification.UnparseableNotificationException;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.util.TimeUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Long-polls the queue and turns each message into an output for the join: the included response as
 * is, otherwise the object at the notification's location, read from S3. A message it cannot use
 * (not a notification, another endpoint's) is counted and left alone, so the queue's redrive policy
 * decides its fate; one whose output cannot be read now is left for redelivery. Only what is
 * returned here gets deleted, after its checkpoint.
 *
 * <p>Two bounds keep a reader from running away from its checkpoints and its memory: it stops
 * receiving while it holds {@code max-undeleted-messages} messages that wait for a checkpoint, and
 * it hands over outputs only within the reader's {@link ByteBudget} ({@code max-buffered-bytes}).
 *
 * <p>The output's last-modified time, by which the join finds a stale output (one from before the
 * submission), is the notification's {@code eventTime}. A notification without one is counted
 * ({@code sqsEventTimesMissing}) and judged by when SQS received the message ({@code
 * SentTimestamp}), which is never before the result was written: the join can still drop it as
 * stale, and never drops a fresh one. Only when the queue does not say either does it fall back to
 * the time of receipt, and such a notification cannot be found stale.
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

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ATTRIBUTES_TIMEOUT = Duration.ofSeconds(30);
    private static final long FIRST_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    /** How long a fetch waits before returning empty while too many messages wait for deletion. */
    static final long PAUSED_FETCH_MILLIS = 100;

    /** How long a fetch waits before returning empty while the byte budget is full. */
    private static final long BUDGET_FULL_FETCH_MILLIS = 10;

    /** SQS's answers for a queue key the job cannot use: retrying cannot help. */
    private static final Set<String> FATAL_RECEIVE_CODES =
            Set.of(
                    "KMS.AccessDeniedException",
                    "KMS.DisabledException",
                    "KMS.NotFoundException",
                    "KMS.InvalidStateException",
                    "KMS.InvalidKeyUsageException",
                    "KMS.KeyUnavailableException",
                    "InvalidSecurity");

    /** A message that is this job's notification, waiting for room in the byte budget. */
    private record Usable(QueueMessage message, CompletionNotification notification) {}

    private final SqsQueue queue;
    private final S3ObjectStore store;
    private final SqsCompletionConfig config;

    /** The job's, or null without checkpoints: see {@link JobCheckpointing}. */
    private final Duration checkpointInterval;

    private final ReceiptTracker tracker;
    private final ByteBudget budget;
    private final MessageSettler settler;
    private final NotificationMetrics metrics;

    /** Shared with the reader, which sets it on the enumerator's NoMoreResultsEvent. */
    private final AtomicBoolean noMoreResults;

    private final Set<String> splitIds = new LinkedHashSet<>();

    /**
     * The receives in flight. A wake-up leaves them running (their messages are handed over by a
     * later fetch); only {@link #close} cancels them.
     */
    private final Queue<CompletableFuture<List<QueueMessage>>> receiving =
            new ConcurrentLinkedQueue<>();

    /** Received and parsed, not yet handed over: the byte budget had no room. */
    private final Deque<Usable> waitingForBudget = new ArrayDeque<>();

    /** Completed by {@link #wakeUp} to end a wait; replaced once a wait has seen it. */
    private volatile CompletableFuture<Void> wakeUpSignal = new CompletableFuture<>();

    private int wantedReceives = 1;

    private int consecutiveFailures;

    private boolean visibilityTimeoutChecked;

    SqsSplitReader(
            SqsQueue queue,
            S3ObjectStore store,
            SqsCompletionConfig config,
            Duration checkpointInterval,
            ReceiptTracker tracker,
            ByteBudget budget,
            MessageSettler settler,
            NotificationMetrics metrics,
            AtomicBoolean noMoreResults) {
        this.queue = queue;
        this.store = store;
        this.config = config;
        this.checkpointInterval = checkpointInterval;
        this.tracker = tracker;
        this.budget = budget;
        this.settler = settler;
        this.metrics = metrics;
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
        if (!visibilityTimeoutChecked) {
            visibilityTimeoutChecked = true;
            checkVisibilityTimeout();
        }
        if (waitingForBudget.isEmpty()) {
            if (tooManyUndeleted()) {
                // An empty fetch after a short wait: the job slows down, it does not fail.
                waitForWakeUp(PAUSED_FETCH_MILLIS);
                return records.build();
            }
            long receivedMillis = System.currentTimeMillis();
            accept(receive(), receivedMillis);
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
        stopReceiving();
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

    /**
     * Takes the messages of the receives that completed and aborts the others, whose messages the
     * queue makes visible again at once (the {@link SqsQueue} contract), as on close.
     */
    private void stopReceiving() {
        if (receiving.isEmpty()) {
            return;
        }
        long receivedMillis = System.currentTimeMillis();
        List<QueueMessage> messages = new ArrayList<>();
        for (CompletableFuture<List<QueueMessage>> receive : receiving) {
            if (receive.cancel(true)) {
                continue;
            }
            try {
                messages.addAll(receive.join());
            } catch (CancellationException | CompletionException e) {
                // a failed receive brought nothing; no reason to fail a source that is ending
            }
        }
        receiving.clear();
        metrics.messagesReceived.inc(messages.size());
        accept(messages, receivedMillis);
    }

    /** Keeps this job's notifications among {@code messages} for handing over. */
    private void accept(List<QueueMessage> messages, long receivedMillis) {
        for (QueueMessage message : messages) {
            CompletionNotification notification = parse(message);
            if (notification != null && !notification.hasEventTime()) {
                notification = withStandInEventTime(notification, message, receivedMillis);
            }
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
            waitForWakeUp(BUDGET_FULL_FETCH_MILLIS);
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
            CompletionNotification notification = next.notification();
            long bytes =
                    notification.isContentIncluded()
                            ? includedBytes(notification)
                            : config.maxContentBytes();
            if (!budget.tryTake(bytes)) {
                break;
            }
            waitingForBudget.pollFirst();
            if (notification.isContentIncluded()) {
                handOver(
                        splitId,
                        records,
                        new ReceivedNotification(
                                next.message().receiptHandle(),
                                included(notification, next.message()),
                                bytes));
                handedOver++;
            } else {
                reads.add(read(notification, next.message(), bytes));
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

    private void handOver(
            String splitId,
            RecordsBySplits.Builder<ReceivedNotification> records,
            ReceivedNotification received) {
        tracker.received(received.receiptHandle());
        records.add(splitId, received);
    }

    private long includedBytes(CompletionNotification notification) {
        int size = notification.content().length;
        return size <= config.maxContentBytes() ? size : 0;
    }

    /**
     * Whether this reader holds so many messages waiting for a checkpoint that it must stop
     * receiving: checkpoints that keep failing would otherwise let receipt handles, and messages in
     * flight, grow without bound (SQS stops at 120,000 in flight per queue). Logs each change.
     */
    private boolean tooManyUndeleted() {
        int held = tracker.held();
        if (held >= config.maxUndeletedMessages()) {
            if (!metrics.receivingPaused) {
                metrics.receivingPaused = true;
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
        if (metrics.receivingPaused) {
            metrics.receivingPaused = false;
            LOG.info(
                    "Receiving from SQS queue {} resumed: {} messages wait for deletion",
                    config.queueUrl(),
                    held);
        }
        return false;
    }

    /**
     * Reads the queue's visibility timeout once and warns when messages will come back before the
     * checkpoint that deletes them can complete. Fails the job as a receive would when the queue is
     * missing or not accessible.
     */
    private void checkVisibilityTimeout() {
        if (checkpointInterval == null) {
            return; // messages are deleted as they are emitted: any timeout will do
        }
        if (config.visibilityTimeout() != null) {
            warnIfShort(null);
            return;
        }
        Duration queueTimeout;
        try {
            queueTimeout =
                    queue.visibilityTimeout()
                            .get(ATTRIBUTES_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            // Only a warning depends on it: even AccessDenied must not fail the job (a receive
            // that cannot work fails it on its own).
            Throwable error = e instanceof ExecutionException ? e.getCause() : e;
            LOG.warn(
                    "Could not read the visibility timeout of SQS queue {} ({}); whether it"
                            + " outlasts the checkpoint interval is not checked. Grant"
                            + " sqs:GetQueueAttributes or set '{}' to have it checked",
                    config.queueUrl(),
                    AwsErrors.describe(error),
                    CompletionOptions.SQS_VISIBILITY_TIMEOUT.key());
            return;
        }
        warnIfShort(queueTimeout);
    }

    private void warnIfShort(Duration queueTimeout) {
        String warning =
                visibilityTimeoutWarning(
                        config.queueUrl(),
                        queueTimeout,
                        config.visibilityTimeout(),
                        checkpointInterval);
        if (warning != null) {
            LOG.warn(warning);
        }
    }

    /**
     * What to tell the user when messages become visible again before the checkpoint that deletes
     * them completes; null when the visibility timeout is at least twice the checkpoint interval. A
     * message emitted just after a barrier waits for the next checkpoint and its completion: a
     * timeout equal to the interval means regular redeliveries.
     *
     * @param configured the option, which overrides the queue's own; null if not set
     * @param checkpointInterval null without checkpoints (messages are deleted when emitted)
     */
    static String visibilityTimeoutWarning(
            String queueUrl,
            Duration queueTimeout,
            Duration configured,
            Duration checkpointInterval) {
        Duration effective = configured != null ? configured : queueTimeout;
        if (checkpointInterval == null
                || effective.compareTo(checkpointInterval.multipliedBy(2)) >= 0) {
            return null;
        }
        long suggestedSeconds =
                Math.min(Duration.ofHours(12).toSeconds(), 2 * checkpointInterval.toSeconds() + 60);
        return "The visibility timeout of "
                + TimeUtils.formatWithHighestUnit(effective)
                + " for SQS queue "
                + queueUrl
                + (configured != null
                        ? " (option '" + CompletionOptions.SQS_VISIBILITY_TIMEOUT.key() + "')"
                        : " (the queue's own)")
                + " is shorter than twice the checkpoint interval of "
                + TimeUtils.formatWithHighestUnit(checkpointInterval)
                + ". Messages are deleted only after the checkpoint covering their emission"
                + " completes, so they will be redelivered before that, received and read again"
                + " and dropped by the join as second copies. Set '"
                + CompletionOptions.SQS_VISIBILITY_TIMEOUT.key()
                + "' (or the queue's VisibilityTimeout) above the checkpoint interval plus the"
                + " time a checkpoint takes, e.g. "
                + suggestedSeconds
                + " s.";
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

    /**
     * The messages of the receives that completed first. While messages keep coming, up to {@code
     * receive-concurrency} receives stay in flight, since each returns what is there, often one or
     * two; an empty long poll brings it back to one, so an idle reader polls once per wait time.
     */
    private List<QueueMessage> receive() {
        while (receiving.size() < wantedReceives) {
            receiving.add(
                    queue.receive(
                            config.maxMessages(), config.waitTime(), config.visibilityTimeout()));
            metrics.receiveRequests.inc();
        }
        List<CompletableFuture<?>> waitFor = new ArrayList<>(receiving);
        waitFor.add(wakeUpSignal);
        awaitAny(waitFor);
        List<QueueMessage> messages = new ArrayList<>();
        Throwable failure = null;
        boolean anyDone = false;
        for (Iterator<CompletableFuture<List<QueueMessage>>> it = receiving.iterator();
                it.hasNext(); ) {
            CompletableFuture<List<QueueMessage>> done = it.next();
            if (!done.isDone()) {
                continue;
            }
            it.remove();
            anyDone = true;
            try {
                messages.addAll(done.join());
            } catch (CancellationException e) {
                // only close cancels
            } catch (CompletionException e) {
                failure = e.getCause();
            }
        }
        if (!anyDone) {
            return List.of(); // woken up; the receives stay in flight for the next fetch
        }
        if (failure != null) {
            wantedReceives = 1;
            onReceiveFailure(failure);
        } else {
            consecutiveFailures = 0;
            wantedReceives = messages.isEmpty() ? 1 : config.receiveConcurrency();
        }
        metrics.messagesReceived.inc(messages.size());
        return messages;
    }

    /** Waits until one of {@code futures} completes, whichever way; consumes a wake-up. */
    private void awaitAny(List<CompletableFuture<?>> futures) {
        try {
            CompletableFuture.anyOf(futures.toArray(new CompletableFuture<?>[0])).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (CancellationException | ExecutionException e) {
            // seen by the caller with the future that failed
        }
        if (wakeUpSignal.isDone()) {
            wakeUpSignal = new CompletableFuture<>();
        }
    }

    private void waitForWakeUp(long millis) {
        CompletableFuture<Void> delay =
                CompletableFuture.runAsync(
                        () -> {}, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        awaitAny(List.of(delay, wakeUpSignal));
    }

    private boolean isFatal(Throwable error) {
        AwsErrorKind kind = AwsErrors.classify(error);
        String code = AwsErrors.errorCode(error);
        return kind == AwsErrorKind.CREDENTIALS
                || kind == AwsErrorKind.ACCESS_DENIED
                || kind == AwsErrorKind.NO_SUCH_QUEUE
                || kind == AwsErrorKind.WRONG_REGION
                || (code != null && FATAL_RECEIVE_CODES.contains(code));
    }

    private FatalAwsException fatal(String doing, String action, Throwable error) {
        String advice = FatalAwsException.advice(AwsErrors.classify(error));
        return FatalAwsException.of(
                doing + " SQS queue " + config.queueUrl() + " (" + action + ")",
                error,
                advice != null
                        ? advice
                        : "Check the queue's KMS key: its key policy must let the job's role"
                                + " use it (kms:Decrypt), and the key must be enabled.");
    }

    private void onReceiveFailure(Throwable error) {
        if (isFatal(error)) {
            throw fatal("Receiving from", "sqs:ReceiveMessage", error);
        }
        // Throttling, OverLimit, 5xx, network, and whatever the service may answer that retrying
        // can fix: back off, never fail the job.
        long delay =
                Math.min(
                        MAX_BACKOFF_MILLIS,
                        FIRST_BACKOFF_MILLIS << Math.min(consecutiveFailures, 8));
        consecutiveFailures++;
        LOG.warn(
                "Receiving from SQS queue {} failed ({} in a row): {}; retrying in {} ms",
                config.queueUrl(),
                consecutiveFailures,
                AwsErrors.describe(error),
                delay);
        waitForWakeUp(delay);
    }

    /**
     * A notification without an event time, with the time SQS received its message instead, or,
     * when the queue did not say, the time it was received here.
     */
    private CompletionNotification withStandInEventTime(
            CompletionNotification notification, QueueMessage message, long receivedMillis) {
        metrics.eventTimesMissing.inc();
        LOG.debug(
                "SQS message {} has no eventTime; judged by {}",
                message.messageId(),
                message.hasSentTimestamp() ? "its SentTimestamp" : "when it was received");
        return new CompletionNotification(
                notification.inferenceId(),
                notification.endpointName(),
                notification.status(),
                notification.location(),
                notification.content(),
                notification.contentType(),
                message.hasSentTimestamp() ? message.sentTimestampMillis() : receivedMillis);
    }

    private CompletionNotification parse(QueueMessage message) {
        CompletionNotification notification;
        try {
            notification = NotificationParser.parse(message.body());
        } catch (UnparseableNotificationException e) {
            metrics.unparseableMessages.inc();
            LOG.warn(
                    "SQS message {} in {} is not a SageMaker async notification ({}); it is left"
                            + " to the queue's redrive policy",
                    message.messageId(),
                    config.queueUrl(),
                    e.getMessage());
            return null;
        }
        if (!config.isOwnEndpoint(notification.endpointName())) {
            metrics.foreignMessages.inc();
            LOG.debug(
                    "SQS message {} is from endpoint '{}', which this job does not call; left in"
                            + " the queue",
                    message.messageId(),
                    notification.endpointName());
            return null;
        }
        return notification;
    }

    /** The included response, or only its size when over the content limit, as when listed. */
    private TaggedOutput included(CompletionNotification notification, QueueMessage message) {
        byte[] content = notification.content();
        return tagged(
                notification,
                new InferenceOutput(
                        notification.location() != null ? notification.location() : "",
                        notification.status(),
                        content.length <= config.maxContentBytes() ? content : null,
                        notification.contentType(),
                        notification.eventTimeMillis(),
                        content.length,
                        null));
    }

    /**
     * Reads the output the notification names, holding {@code reservedBytes} of the budget until it
     * knows the size; completes with null when the message must wait for a redelivery.
     */
    private CompletableFuture<ReceivedNotification> read(
            CompletionNotification notification, QueueMessage message, long reservedBytes) {
        S3Location location;
        try {
            location = S3Location.parse(notification.location(), "notification location");
        } catch (IllegalArgumentException e) {
            budget.giveBack(reservedBytes);
            metrics.unparseableMessages.inc();
            LOG.warn(
                    "SQS message {} names no valid S3 location; left to the queue's redrive"
                            + " policy",
                    message.messageId());
            return CompletableFuture.completedFuture(null);
        }
        metrics.responsesRead.inc();
        return store.getObject(location, config.maxContentBytes(), READ_TIMEOUT)
                .handle(
                        (content, error) -> {
                            InferenceOutput output;
                            try {
                                output = outputOf(notification, content, error);
                            } catch (RuntimeException e) {
                                budget.giveBack(reservedBytes);
                                throw e;
                            }
                            long heldBytes =
                                    output != null && output.content() != null
                                            ? output.content().length
                                            : 0;
                            budget.giveBack(reservedBytes - heldBytes);
                            return output == null
                                    ? null
                                    : new ReceivedNotification(
                                            message.receiptHandle(),
                                            tagged(notification, output),
                                            heldBytes);
                        });
    }

    private InferenceOutput outputOf(
            CompletionNotification notification, S3ObjectContent content, Throwable error) {
        String location = notification.location();
        if (error == null) {
            if (content == null) {
                return unreadable(notification, "NoSuchKey: no object at " + location);
            }
            return new InferenceOutput(
                    location,
                    notification.status(),
                    content.isOverLimit() ? null : content.bytes(),
                    content.contentType(),
                    notification.eventTimeMillis(),
                    content.size(),
                    null);
        }
        AwsErrorKind kind = AwsErrors.classify(error);
        switch (kind) {
            case CREDENTIALS:
                throw FatalAwsException.of(
                        "Reading result object " + location + " (s3:GetObject)",
                        error,
                        FatalAwsException.advice(kind));
            case NO_SUCH_KEY:
            case ACCESS_DENIED:
            case OBJECT_STATE:
            case NO_SUCH_BUCKET:
            case WRONG_REGION:
                // The location comes from a message, not from the job's configuration: one
                // message must not fail the job.
                return unreadable(notification, AwsErrors.describe(error));
            default:
                metrics.responseReadRetries.inc();
                LOG.warn(
                        "Reading result object {} failed: {}; its notification is left for"
                                + " redelivery",
                        location,
                        AwsErrors.describe(error));
                return null;
        }
    }

    private static InferenceOutput unreadable(CompletionNotification notification, String why) {
        return InferenceOutput.unreadable(
                notification.location(),
                notification.status(),
                notification.eventTimeMillis(),
                -1,
                null,
                why);
    }

    private static TaggedOutput tagged(
            CompletionNotification notification, InferenceOutput output) {
        return new TaggedOutput(notification.inferenceId(), output);
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
        wakeUpSignal.complete(null);
    }

    /**
     * Aborts the receives in flight and makes visible again what was received and not handed over,
     * so that a restarted job gets those messages now rather than after their visibility timeout.
     */
    @Override
    public void close() {
        wakeUp();
        List<String> notHandedOver = new ArrayList<>();
        for (CompletableFuture<List<QueueMessage>> receive : receiving) {
            // A receive cancelled in time releases what it brings (the SqsQueue contract); one
            // that had already completed brought messages that are ours to release.
            if (!receive.cancel(true) && !receive.isCompletedExceptionally()) {
                receive.join().forEach(message -> notHandedOver.add(message.receiptHandle()));
            }
        }
        receiving.clear();
        waitingForBudget.forEach(usable -> notHandedOver.add(usable.message().receiptHandle()));
        waitingForBudget.clear();
        if (!notHandedOver.isEmpty()) {
            settler.release(notHandedOver);
        }
    }
}
