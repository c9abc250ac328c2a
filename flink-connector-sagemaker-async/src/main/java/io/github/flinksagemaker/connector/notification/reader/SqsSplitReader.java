package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.join.TaggedOutput;
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
import io.github.flinksagemaker.connector.watch.InferenceOutput;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
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

/**
 * Long-polls the queue and turns each message into an output for the join: the included response as
 * is, otherwise the object at the notification's location, read from S3. A message it cannot use
 * (not a notification, another endpoint's) is counted and left alone, so the queue's redrive policy
 * decides its fate; one whose output cannot be read now is left for redelivery. Only what is
 * returned here gets deleted, after its checkpoint.
 *
 * <p>The output's last-modified time, by which the join finds a stale output (one from before the
 * submission), is the notification's {@code eventTime}. A notification without one is counted
 * ({@code sqsEventTimesMissing}) and judged by when SQS received the message ({@code
 * SentTimestamp}), which is never before the result was written: the join can still drop it as
 * stale, and never drops a fresh one. Only when the queue does not say either does it fall back to
 * the time of receipt, and such a notification cannot be found stale.
 */
@Internal
final class SqsSplitReader implements SplitReader<ReceivedNotification, QueueSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SqsSplitReader.class);

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final long FIRST_BACKOFF_MILLIS = 500;
    private static final long MAX_BACKOFF_MILLIS = 30_000;

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

    private final SqsQueue queue;
    private final S3ObjectStore store;
    private final SqsCompletionConfig config;
    private final NotificationMetrics metrics;
    private final Set<String> splitIds = new LinkedHashSet<>();

    /** The receives in flight; {@link #wakeUp} cancels them. */
    private final Queue<CompletableFuture<List<QueueMessage>>> receiving =
            new ConcurrentLinkedQueue<>();

    /** The backoff in progress, if any; {@link #wakeUp} cancels it. */
    private volatile CompletableFuture<?> backoff;

    private int wantedReceives = 1;

    private int consecutiveFailures;

    SqsSplitReader(
            SqsQueue queue,
            S3ObjectStore store,
            SqsCompletionConfig config,
            NotificationMetrics metrics) {
        this.queue = queue;
        this.store = store;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public RecordsWithSplitIds<ReceivedNotification> fetch() {
        RecordsBySplits.Builder<ReceivedNotification> records = new RecordsBySplits.Builder<>();
        if (splitIds.isEmpty()) {
            return records.build();
        }
        List<QueueMessage> messages = receive();
        if (messages.isEmpty()) {
            return records.build();
        }
        String splitId = splitIds.iterator().next();
        List<CompletableFuture<ReceivedNotification>> reads = new ArrayList<>();
        long receivedMillis = System.currentTimeMillis();
        for (QueueMessage message : messages) {
            CompletionNotification notification = parse(message);
            if (notification == null) {
                continue;
            }
            if (!notification.hasEventTime()) {
                notification = withStandInEventTime(notification, message, receivedMillis);
            }
            if (notification.isContentIncluded()) {
                records.add(
                        splitId,
                        new ReceivedNotification(
                                message.receiptHandle(), included(notification, message)));
            } else {
                reads.add(read(notification, message));
            }
        }
        for (CompletableFuture<ReceivedNotification> read : reads) {
            ReceivedNotification received = joinUnwrapped(read);
            if (received != null) {
                records.add(splitId, received);
            }
        }
        return records.build();
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
        try {
            CompletableFuture.anyOf(receiving.toArray(new CompletableFuture<?>[0])).get();
        } catch (CancellationException e) {
            receiving.removeIf(CompletableFuture::isCancelled);
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException e) {
            // handled below, with the receive that failed
        }
        List<QueueMessage> messages = new ArrayList<>();
        Throwable failure = null;
        for (Iterator<CompletableFuture<List<QueueMessage>>> it = receiving.iterator();
                it.hasNext(); ) {
            CompletableFuture<List<QueueMessage>> done = it.next();
            if (!done.isDone()) {
                continue;
            }
            it.remove();
            try {
                messages.addAll(done.join());
            } catch (CancellationException e) {
                // woken up
            } catch (CompletionException e) {
                failure = e.getCause();
            }
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

    private void onReceiveFailure(Throwable error) {
        AwsErrorKind kind = AwsErrors.classify(error);
        String code = AwsErrors.errorCode(error);
        boolean fatal =
                kind == AwsErrorKind.CREDENTIALS
                        || kind == AwsErrorKind.ACCESS_DENIED
                        || kind == AwsErrorKind.NO_SUCH_QUEUE
                        || kind == AwsErrorKind.WRONG_REGION
                        || (code != null && FATAL_RECEIVE_CODES.contains(code));
        if (fatal) {
            String advice = FatalAwsException.advice(kind);
            throw FatalAwsException.of(
                    "Receiving from SQS queue " + config.queueUrl() + " (sqs:ReceiveMessage)",
                    error,
                    advice != null
                            ? advice
                            : "Check the queue's KMS key: its key policy must let the job's role"
                                    + " use it (kms:Decrypt), and the key must be enabled.");
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
        pause(delay);
    }

    private void pause(long millis) {
        CompletableFuture<Void> pause =
                CompletableFuture.runAsync(
                        () -> {}, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        backoff = pause;
        try {
            pause.get();
        } catch (CancellationException | ExecutionException e) {
            // woken up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** Reads the output the notification names; null when it must wait for a redelivery. */
    private CompletableFuture<ReceivedNotification> read(
            CompletionNotification notification, QueueMessage message) {
        S3Location location;
        try {
            location = S3Location.parse(notification.location(), "notification location");
        } catch (IllegalArgumentException e) {
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
                            InferenceOutput output = outputOf(notification, content, error);
                            return output == null
                                    ? null
                                    : new ReceivedNotification(
                                            message.receiptHandle(), tagged(notification, output));
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

    @Override
    public void wakeUp() {
        receiving.forEach(receive -> receive.cancel(true));
        CompletableFuture<?> current = backoff;
        if (current != null) {
            current.cancel(true);
        }
    }

    @Override
    public void close() {
        wakeUp();
    }
}
