package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.Internal;

/** Why {@link InferenceSubmitter} did not get a request accepted, with the reason to report. */
@Internal
public final class SubmissionRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    SubmissionRejectedException(RejectionReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
