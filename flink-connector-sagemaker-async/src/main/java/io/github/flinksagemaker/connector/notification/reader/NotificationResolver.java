package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.notification.CompletionNotification;
import io.github.flinksagemaker.connector.notification.NotificationParser;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.UnparseableNotificationException;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a received message into an output for the join, ready to emit: the included response as is,
 * otherwise the object at the notification's location, read from S3. A message it cannot use (not a
 * notification, another endpoint's, no valid S3 location) is counted and left alone, so the queue's
 * redrive policy decides its fate; one whose output cannot be read now is left for redelivery.
 *
 * <p>The output's last-modified time, by which the join finds a stale output (one from before the
 * submission), is the notification's {@code eventTime}. A notification without one is counted
 * ({@code sqsEventTimesMissing}) and judged by when SQS received the message ({@code
 * SentTimestamp}), which is never before the result was written: the join can still drop it as
 * stale, and never drops a fresh one. Only when the queue does not say either does it fall back to
 * the time of receipt, and such a notification cannot be found stale.
 *
 * <p>What a failed GET means is {@link ResultReadFailure}'s decision for a location a notification
 * named ({@link ResultLocationOrigin#NOTIFIED}): since the location comes from a message, not from
 * the job's configuration, only credentials the service does not accept fail the job.
 */
@Internal
final class NotificationResolver {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationResolver.class);

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private final S3ObjectStore store;
    private final SqsCompletionConfig config;
    private final NotificationMetrics metrics;

    NotificationResolver(
            S3ObjectStore store, SqsCompletionConfig config, NotificationMetrics metrics) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * The notification {@code message} carries, if it is one of this job's, with a stand-in event
     * time when it has none; null (counted, logged) otherwise.
     *
     * @param receivedMillis when the message was received, the last resort for its event time
     */
    CompletionNotification usableNotification(QueueMessage message, long receivedMillis) {
        CompletionNotification notification = parse(message);
        if (notification != null && !notification.hasEventTime()) {
            notification = withStandInEventTime(notification, message, receivedMillis);
        }
        return notification;
    }

    /** The included response, or only its size when over the content limit, as when listed. */
    ReceivedNotification included(QueueMessage message, CompletionNotification notification) {
        byte[] content = notification.content();
        return received(
                message,
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
     * Reads the output the notification names. Completes with null when the message must wait for a
     * redelivery, or names no valid S3 location; exceptionally with a {@link FatalAwsException}
     * when no read can succeed.
     */
    CompletableFuture<ReceivedNotification> read(
            QueueMessage message, CompletionNotification notification) {
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
                            InferenceOutput output =
                                    error == null
                                            ? outputOf(notification, content)
                                            : onReadFailure(
                                                    notification,
                                                    error,
                                                    ResultReadFailure.of(
                                                            error, ResultLocationOrigin.NOTIFIED));
                            return output == null ? null : received(message, notification, output);
                        });
    }

    private static InferenceOutput outputOf(
            CompletionNotification notification, S3ObjectContent content) {
        if (content == null) {
            return unreadable(notification, "NoSuchKey: no object at " + notification.location());
        }
        return new InferenceOutput(
                notification.location(),
                notification.status(),
                content.isOverLimit() ? null : content.bytes(),
                content.contentType(),
                notification.eventTimeMillis(),
                content.size(),
                null);
    }

    /** The output for a GET that failed this way, or null to leave the message for redelivery. */
    @VisibleForTesting
    InferenceOutput onReadFailure(
            CompletionNotification notification, Throwable error, ResultReadFailure failure) {
        String location = notification.location();
        switch (failure) {
            case FATAL:
                throw FatalAwsException.of(
                        "Reading result object " + location + " (s3:GetObject)",
                        error,
                        FatalAwsException.advice(AwsErrors.classify(error)));
            case UNREADABLE:
                // The location comes from a message, not from the job's configuration: one
                // message must not fail the job.
                return unreadable(notification, AwsErrors.describe(error));
            case RETRY:
                metrics.responseReadRetries.inc();
                LOG.warn(
                        "Reading result object {} failed: {}; its notification is left for"
                                + " redelivery",
                        location,
                        AwsErrors.describe(error));
                return null;
            default:
                // A notification says the object was written: no answer means "nothing yet".
                throw new IllegalStateException(
                        "A failed read of a notified location cannot be "
                                + failure
                                + ": "
                                + AwsErrors.describe(error));
        }
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

    private static InferenceOutput unreadable(CompletionNotification notification, String why) {
        return InferenceOutput.unreadable(
                notification.location(),
                notification.status(),
                notification.eventTimeMillis(),
                -1,
                null,
                why);
    }

    /** Ready to emit; it holds the bytes of its content, if it carries it, until emitted. */
    private static ReceivedNotification received(
            QueueMessage message, CompletionNotification notification, InferenceOutput output) {
        return new ReceivedNotification(
                message.receiptHandle(),
                new TaggedOutput(notification.inferenceId(), output),
                output.content() != null ? output.content().length : 0);
    }
}
