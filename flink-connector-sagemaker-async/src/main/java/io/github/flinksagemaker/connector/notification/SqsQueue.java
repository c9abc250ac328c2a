package io.github.flinksagemaker.connector.notification;

import org.apache.flink.annotation.Internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The SQS operations the notification source needs, behind an interface so that tests can plug in a
 * hand-written fake. {@link SdkSqsQueue} is the real one.
 */
@Internal
public interface SqsQueue extends AutoCloseable {
    /** SQS takes at most 10 entries per batch request. */
    int MAX_BATCH = 10;

    /**
     * Long-polls for up to {@code maxMessages} messages, waiting up to {@code waitTime}. Cancelling
     * the returned future aborts the request; messages it receives all the same are made visible
     * again at once, not left invisible until their visibility timeout.
     *
     * @param visibilityTimeout the visibility timeout to ask for, or null for the queue's own
     */
    CompletableFuture<List<QueueMessage>> receive(
            int maxMessages, Duration waitTime, Duration visibilityTimeout);

    /**
     * Deletes up to {@link #MAX_BATCH} messages in one request.
     *
     * @return how many the queue could not delete
     */
    CompletableFuture<Integer> delete(List<String> receiptHandles);

    /**
     * Makes up to {@link #MAX_BATCH} received messages visible again at once (a visibility timeout
     * of 0, sqs:ChangeMessageVisibility), in one request.
     *
     * @return how many the queue could not release
     */
    CompletableFuture<Integer> release(List<String> receiptHandles);

    /** The queue's own visibility timeout (sqs:GetQueueAttributes). */
    CompletableFuture<Duration> visibilityTimeout();

    @Override
    void close();
}
