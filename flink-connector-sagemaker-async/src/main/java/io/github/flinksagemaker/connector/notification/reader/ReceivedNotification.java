package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.completion.TaggedOutput;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/**
 * A notification ready to emit, with the receipt handle that deletes its message and the bytes it
 * holds of the reader's byte budget until emitted.
 */
@Internal
public record ReceivedNotification(String receiptHandle, TaggedOutput output, long budgetBytes) {
    public ReceivedNotification {
        Objects.requireNonNull(receiptHandle, "receiptHandle");
        Objects.requireNonNull(output, "output");
    }
}
