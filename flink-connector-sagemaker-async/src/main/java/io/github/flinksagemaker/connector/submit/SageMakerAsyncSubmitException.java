package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

/** Fails the job for an element that could not be submitted, when failure handling is FAIL. */
@PublicEvolving
public final class SageMakerAsyncSubmitException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    public SageMakerAsyncSubmitException(RejectionReason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
