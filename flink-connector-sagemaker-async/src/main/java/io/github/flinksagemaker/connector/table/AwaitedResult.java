package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;

/**
 * How one SQL row's inference ended: the output's bytes for {@link RowStatus#SUCCESS}, else a
 * message saying what went wrong (a failure object's text for a model error); {@code location} is
 * the result object the outcome comes from, when there is one.
 */
@Internal
record AwaitedResult(
        RowStatus status,
        String inferenceId,
        byte[] content,
        String contentType,
        String message,
        String location) {

    static AwaitedResult success(
            String inferenceId, byte[] content, String contentType, String location) {
        return new AwaitedResult(
                RowStatus.SUCCESS, inferenceId, content, contentType, null, location);
    }

    static AwaitedResult failed(
            RowStatus status, String inferenceId, String message, String location) {
        return new AwaitedResult(status, inferenceId, null, null, message, location);
    }

    boolean isSuccess() {
        return status == RowStatus.SUCCESS;
    }

    /** The text SQL users see for a failed inference under ERROR_STRING. */
    String errorString() {
        return "SAGEMAKER_ERROR " + status + ": " + message;
    }

    /**
     * The message of an exception that fails the job: never the model's error text, which often
     * echoes the input and would reach logs and the web UI; its location instead.
     */
    String exceptionMessage() {
        String what =
                status == RowStatus.MODEL_ERROR && location != null
                        ? "the model's error text ("
                                + (message == null ? 0 : message.length())
                                + " characters) is at "
                                + location
                        : message;
        return "Inference " + inferenceId + " ended " + status + ": " + what;
    }
}
