package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

/**
 * A call that did not get a 202 for a reason of its own element: the service rejected it as invalid
 * ({@link Kind#VALIDATION}, never retried) or the call failed ({@link Kind#FAILED}; the cause says
 * whether another call may succeed). {@link #mayHaveBeenAccepted()} tells a failure the service
 * answered from a request that went out and got no answer. Faults of the whole job are {@link
 * io.github.flinksagemaker.connector.aws.FatalAwsException}s instead.
 */
@Internal
public final class InvocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the call failed. */
    public enum Kind {
        VALIDATION,
        FAILED
    }

    /** What the service may have done with the request. */
    public enum Outcome {
        /** It answered with an error, or the request never left. */
        NOT_ACCEPTED,
        /** The request went out and no answer came: sending it again may get one. */
        UNANSWERED,
        /** It answered 2xx, but the answer could not be read: accepted, not to be sent again. */
        ACCEPTED_ANSWER_UNREAD
    }

    private final Kind kind;
    private final Outcome outcome;

    public InvocationException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, Outcome.NOT_ACCEPTED);
    }

    public InvocationException(Kind kind, String message, Throwable cause, Outcome outcome) {
        super(message, cause);
        this.kind = kind;
        this.outcome = outcome;
    }

    public Kind kind() {
        return kind;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** Whether the service may have accepted the request: the outcome is not known. */
    public boolean mayHaveBeenAccepted() {
        return outcome != Outcome.NOT_ACCEPTED;
    }
}
