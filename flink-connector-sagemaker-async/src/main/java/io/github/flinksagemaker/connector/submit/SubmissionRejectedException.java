package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.Internal;

/** Why {@link InferenceSubmitter} did not get a request accepted, with the reason to report. */
@Internal
public final class SubmissionRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;
    private final String inputLocation;

    SubmissionRejectedException(RejectionReason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param inputLocation the payload already uploaded for the request, so cleanup can delete it
     */
    SubmissionRejectedException(RejectionReason reason, String message, String inputLocation) {
        super(message, null, false, false);
        this.reason = reason;
        this.inputLocation = inputLocation;
    }

    public RejectionReason reason() {
        return reason;
    }

    /** The S3 input the payload was uploaded to before the rejection, or null. */
    public String inputLocation() {
        return inputLocation;
    }
}
