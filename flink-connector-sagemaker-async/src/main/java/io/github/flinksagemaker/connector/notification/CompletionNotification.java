package io.github.flinksagemaker.connector.notification;

import io.github.flinksagemaker.connector.completion.ResultStatus;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/**
 * What one SageMaker async notification says about one inference.
 *
 * @param endpointName the endpoint that sent it, or null when the message does not say
 * @param location the output location (success) or failure location (failure, when the message
 *     names one), or null
 * @param content the included response (success) or the failure reason (failure), or null when the
 *     message does not carry it and it must be read from {@code location}
 * @param eventTimeMillis when the result was written, as the message says, or {@link
 *     #UNKNOWN_EVENT_TIME} when it does not (no {@code eventTime}, or one that is not an ISO-8601
 *     instant): the reader then judges by when SQS received the message, see {@code
 *     docs/completion-modes.md}
 */
@Internal
public record CompletionNotification(
        String inferenceId,
        String endpointName,
        ResultStatus status,
        String location,
        byte[] content,
        String contentType,
        long eventTimeMillis) {
    /** The {@link #eventTimeMillis()} of a notification that does not say when. */
    public static final long UNKNOWN_EVENT_TIME = Long.MIN_VALUE;

    public CompletionNotification {
        Objects.requireNonNull(inferenceId, "inferenceId");
        Objects.requireNonNull(status, "status");
    }

    public boolean hasEventTime() {
        return eventTimeMillis != UNKNOWN_EVENT_TIME;
    }

    public boolean isContentIncluded() {
        return content != null;
    }

    /** Leaves the content out: it is model output that must not reach logs. */
    @Override
    public String toString() {
        return "CompletionNotification{"
                + status
                + ' '
                + inferenceId
                + ", endpoint="
                + endpointName
                + ", location="
                + location
                + ", contentIncluded="
                + isContentIncluded()
                + '}';
    }
}
