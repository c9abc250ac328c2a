package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

/**
 * A call that did not get a 202, after whatever retries applied: the service rejected it as invalid
 * ({@link Kind#VALIDATION}, never retried) or it kept failing until the retry budget or deadline
 * ran out ({@link Kind#RETRIES_EXHAUSTED}).
 */
@Internal
public final class InvocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the call failed. */
    public enum Kind {
        VALIDATION,
        RETRIES_EXHAUSTED
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
