package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.join.TaggedOutput;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/** A notification ready to emit, with the receipt handle that deletes its message. */
@Internal
public record ReceivedNotification(String receiptHandle, TaggedOutput output) {
    public ReceivedNotification {
        Objects.requireNonNull(receiptHandle, "receiptHandle");
        Objects.requireNonNull(output, "output");
    }
}
