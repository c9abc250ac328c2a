package io.github.flinksagemaker.connector.notification;

import org.apache.flink.annotation.Internal;

/** A queue message that is not a SageMaker async notification; the message says why. */
@Internal
public final class UnparseableNotificationException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnparseableNotificationException(String reason) {
        super(reason);
    }
}
