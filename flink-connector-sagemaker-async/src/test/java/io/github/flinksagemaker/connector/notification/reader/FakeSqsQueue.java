package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsQueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue in memory: receives hand out what was sent after 5 ms (an empty receive waits 20 ms, like
 * a short long poll), deletes are recorded, and a receive can be made to fail.
 */
final class FakeSqsQueue implements SqsQueue {
    private final Deque<QueueMessage> visible = new ArrayDeque<>();
    final List<String> deleted = new ArrayList<>();
    final AtomicInteger receives = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    private RuntimeException receiveError;
    private int failuresLeft;
    private int sent;

    synchronized void send(String body) {
        sent++;
        visible.add(new QueueMessage("m-" + sent, "r-" + sent, body));
    }

    /** A message whose SentTimestamp attribute says {@code sentMillis}. */
    synchronized void send(String body, long sentMillis) {
        sent++;
        visible.add(new QueueMessage("m-" + sent, "r-" + sent, body, sentMillis));
    }

    synchronized void failReceives(RuntimeException error) {
        this.receiveError = error;
        this.failuresLeft = Integer.MAX_VALUE;
    }

    synchronized void failNextReceives(int count, RuntimeException error) {
        this.receiveError = error;
        this.failuresLeft = count;
    }

    synchronized List<String> deletedHandles() {
        return List.copyOf(deleted);
    }

    @Override
    public synchronized CompletableFuture<List<QueueMessage>> receive(
            int maxMessages, Duration waitTime, Duration visibilityTimeout) {
        receives.incrementAndGet();
        if (receiveError != null && failuresLeft > 0) {
            failuresLeft--;
            return CompletableFuture.failedFuture(receiveError);
        }
        List<QueueMessage> batch = new ArrayList<>();
        while (batch.size() < maxMessages && !visible.isEmpty()) {
            batch.add(visible.poll());
        }
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        // A round trip of 5 ms with messages, a short long poll of 20 ms without.
        return CompletableFuture.supplyAsync(
                        () -> batch,
                        CompletableFuture.delayedExecutor(
                                batch.isEmpty() ? 20 : 5, TimeUnit.MILLISECONDS))
                .whenComplete((messages, error) -> outstanding.decrementAndGet());
    }

    @Override
    public synchronized CompletableFuture<Integer> delete(List<String> receiptHandles) {
        deleted.addAll(receiptHandles);
        return CompletableFuture.completedFuture(0);
    }

    @Override
    public void close() {}
}
