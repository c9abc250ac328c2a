package io.github.flinksagemaker.connector.notification;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/** One received SQS message: what deleting it needs, and its body. */
@Internal
public record QueueMessage(String messageId, String receiptHandle, String body) {
    public QueueMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(receiptHandle, "receiptHandle");
        Objects.requireNonNull(body, "body");
    }

    /** Leaves the body out: it can carry model output. */
    @Override
    public String toString() {
        return "QueueMessage{" + messageId + ", " + body.length() + " chars}";
    }
}
