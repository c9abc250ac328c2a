package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

/**
 * A call that did not get a 202 for a reason of its own element: the service rejected it as invalid
 * ({@link Kind#VALIDATION}, never retried) or it kept failing until its time ran out ({@link
 * Kind#GAVE_UP}). Faults of the whole job are {@link
 * io.github.flinksagemaker.connector.aws.FatalAwsException}s instead.
 */
@Internal
public final class InvocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the call failed. */
    public enum Kind {
        VALIDATION,
        GAVE_UP
    }

    private final Kind kind;

    public InvocationException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
