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

    private final Kind kind;
    private final boolean mayHaveBeenAccepted;

    public InvocationException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, false);
    }

    public InvocationException(
            Kind kind, String message, Throwable cause, boolean mayHaveBeenAccepted) {
        super(message, cause);
        this.kind = kind;
        this.mayHaveBeenAccepted = mayHaveBeenAccepted;
    }

    public Kind kind() {
        return kind;
    }

    /** Whether the request went out and no answer came back: the service may have accepted it. */
    public boolean mayHaveBeenAccepted() {
        return mayHaveBeenAccepted;
    }
}
