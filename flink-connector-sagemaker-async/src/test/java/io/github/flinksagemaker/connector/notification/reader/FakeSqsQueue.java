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
 * A queue in memory: receives hand out what was sent (an empty receive waits 20 ms, like a short
 * long poll), deletes are recorded, and a receive can be made to fail.
 */
final class FakeSqsQueue implements SqsQueue {
    private final Deque<QueueMessage> visible = new ArrayDeque<>();
    final List<String> deleted = new ArrayList<>();
    final AtomicInteger receives = new AtomicInteger();
    private RuntimeException receiveError;
    private int sent;

    synchronized void send(String body) {
        sent++;
        visible.add(new QueueMessage("m-" + sent, "r-" + sent, body));
    }

    synchronized void failReceives(RuntimeException error) {
        this.receiveError = error;
    }

    synchronized List<String> deletedHandles() {
        return List.copyOf(deleted);
    }

    @Override
    public synchronized CompletableFuture<List<QueueMessage>> receive(
            int maxMessages, Duration waitTime, Duration visibilityTimeout) {
        receives.incrementAndGet();
        if (receiveError != null) {
            return CompletableFuture.failedFuture(receiveError);
        }
        List<QueueMessage> batch = new ArrayList<>();
        while (batch.size() < maxMessages && !visible.isEmpty()) {
            batch.add(visible.poll());
        }
        if (!batch.isEmpty()) {
            return CompletableFuture.completedFuture(batch);
        }
        return CompletableFuture.supplyAsync(
                List::of, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
    }

    @Override
    public synchronized CompletableFuture<Integer> delete(List<String> receiptHandles) {
        deleted.addAll(receiptHandles);
        return CompletableFuture.completedFuture(0);
    }

    @Override
    public void close() {}
}
