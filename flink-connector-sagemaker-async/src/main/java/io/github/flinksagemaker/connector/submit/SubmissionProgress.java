package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.Internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether an element's request may have reached the service, decided once between the submitter
 * about to call the endpoint and the operator's timeout giving the element up: whichever comes
 * first wins, so a given-up element is never sent afterwards and a sent one is never rejected.
 */
@Internal
public final class SubmissionProgress {
    private static final int NOT_SENT = 0;
    private static final int SENT = 1;
    private static final int GIVEN_UP = 2;

    private final AtomicInteger state = new AtomicInteger(NOT_SENT);

    /** Before each call to the endpoint: false when the element was given up, so must not go. */
    boolean markSent() {
        return state.compareAndSet(NOT_SENT, SENT) || state.get() == SENT;
    }

    /** At the operator's timeout: true when nothing was sent and nothing will be. */
    public boolean giveUp() {
        return state.compareAndSet(NOT_SENT, GIVEN_UP) || state.get() == GIVEN_UP;
    }
}
