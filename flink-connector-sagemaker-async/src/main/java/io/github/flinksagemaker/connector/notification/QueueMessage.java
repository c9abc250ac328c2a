package io.github.flinksagemaker.connector.notification;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/**
 * One received SQS message: what deleting it needs, its body, and when SQS received it (its {@code
 * SentTimestamp} attribute), or {@link #UNKNOWN_SENT_TIME} when the queue did not say.
 */
@Internal
public record QueueMessage(
        String messageId, String receiptHandle, String body, long sentTimestampMillis) {
    public static final long UNKNOWN_SENT_TIME = Long.MIN_VALUE;

    public QueueMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(receiptHandle, "receiptHandle");
        Objects.requireNonNull(body, "body");
    }

    /** A message whose queue did not say when it was sent. */
    public QueueMessage(String messageId, String receiptHandle, String body) {
        this(messageId, receiptHandle, body, UNKNOWN_SENT_TIME);
    }

    public boolean hasSentTimestamp() {
        return sentTimestampMillis != UNKNOWN_SENT_TIME;
    }

    /** Leaves the body out: it can carry model output. */
    @Override
    public String toString() {
        return "QueueMessage{" + messageId + ", " + body.length() + " chars}";
    }
}
