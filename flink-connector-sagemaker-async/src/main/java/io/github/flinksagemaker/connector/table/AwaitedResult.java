package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.join.InferenceStatus;

import org.apache.flink.annotation.Internal;

/**
 * How one awaited inference ended: the output's bytes for {@link InferenceStatus#SUCCESS}, else a
 * message saying what went wrong (a failure object's text for a model error).
 */
@Internal
public record AwaitedResult(
        InferenceStatus status,
        String inferenceId,
        byte[] content,
        String contentType,
        String message) {

    public boolean isSuccess() {
        return status == InferenceStatus.SUCCESS;
    }

    /** The text SQL users see for a failed inference under ERROR_STRING. */
    public String errorString() {
        return "SAGEMAKER_ERROR " + status + ": " + message;
    }
}
