package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsQueue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue in memory: receives hand out what was sent after 5 ms (an empty receive waits 20 ms, like
 * a short long poll), deletes and releases are recorded, and a receive can be made to fail. As the
 * {@link SqsQueue} contract asks, a receive cancelled before it completes puts its messages back.
 * Receives can also be held, for the test to complete by hand.
 */
final class FakeSqsQueue implements SqsQueue {
    private final Deque<QueueMessage> visible = new ArrayDeque<>();
    private final Map<String, QueueMessage> received = new HashMap<>();
    final List<String> deleted = new ArrayList<>();
    final List<String> released = new ArrayList<>();
    final AtomicInteger receives = new AtomicInteger();
    final AtomicInteger attributeRequests = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    private RuntimeException receiveError;
    private int failuresLeft;
    private int sent;

    /** Receives the test completes itself, when {@link #holdReceives} is set. */
    final List<CompletableFuture<List<QueueMessage>>> heldReceives = new CopyOnWriteArrayList<>();

    private boolean holdReceives;
    private long deleteDelayMillis;
    private final List<CompletableFuture<Integer>> deletes = new ArrayList<>();
    private volatile boolean closedWithDeletesInFlight;
    private volatile boolean closed;
    private CompletableFuture<Duration> visibilityTimeout =
            CompletableFuture.completedFuture(Duration.ofSeconds(30));

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

    synchronized void holdReceives() {
        this.holdReceives = true;
    }

    /** Deletes complete this much later, like requests on the network. */
    synchronized void delayDeletes(long millis) {
        this.deleteDelayMillis = millis;
    }

    synchronized void answerVisibilityTimeout(CompletableFuture<Duration> answer) {
        this.visibilityTimeout = answer;
    }

    /** A message the test hands to a held receive; it counts as received. */
    synchronized QueueMessage take() {
        QueueMessage message = visible.poll();
        received.put(message.receiptHandle(), message);
        return message;
    }

    synchronized List<String> deletedHandles() {
        return List.copyOf(deleted);
    }

    synchronized List<String> releasedHandles() {
        return List.copyOf(released);
    }

    synchronized int visibleCount() {
        return visible.size();
    }

    boolean closedWithDeletesInFlight() {
        return closedWithDeletesInFlight;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized CompletableFuture<List<QueueMessage>> receive(
            int maxMessages, Duration waitTime, Duration visibilityTimeout) {
        receives.incrementAndGet();
        if (receiveError != null && failuresLeft > 0) {
            failuresLeft--;
            return CompletableFuture.failedFuture(receiveError);
        }
        if (holdReceives) {
            CompletableFuture<List<QueueMessage>> held = new CompletableFuture<>();
            heldReceives.add(held);
            return held;
        }
        List<QueueMessage> batch = new ArrayList<>();
        while (batch.size() < maxMessages && !visible.isEmpty()) {
            QueueMessage message = visible.poll();
            received.put(message.receiptHandle(), message);
            batch.add(message);
        }
        maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        CompletableFuture<List<QueueMessage>> result = new CompletableFuture<>();
        // A round trip of 5 ms with messages, a short long poll of 20 ms without.
        CompletableFuture.delayedExecutor(batch.isEmpty() ? 20 : 5, TimeUnit.MILLISECONDS)
                .execute(
                        () -> {
                            outstanding.decrementAndGet();
                            if (!result.complete(batch)) {
                                putBack(batch);
                            }
                        });
        return result;
    }

    private synchronized void putBack(List<QueueMessage> messages) {
        messages.forEach(message -> visible.addFirst(received.remove(message.receiptHandle())));
    }

    @Override
    public synchronized CompletableFuture<Integer> delete(List<String> receiptHandles) {
        deleted.addAll(receiptHandles);
        receiptHandles.forEach(received::remove);
        if (deleteDelayMillis == 0) {
            return CompletableFuture.completedFuture(0);
        }
        CompletableFuture<Integer> delete =
                CompletableFuture.supplyAsync(
                        () -> 0,
                        CompletableFuture.delayedExecutor(
                                deleteDelayMillis, TimeUnit.MILLISECONDS));
        deletes.add(delete);
        return delete;
    }

    @Override
    public synchronized CompletableFuture<Integer> release(List<String> receiptHandles) {
        released.addAll(receiptHandles);
        for (String handle : receiptHandles) {
            QueueMessage message = received.remove(handle);
            if (message != null) {
                visible.add(message);
            }
        }
        return CompletableFuture.completedFuture(0);
    }

    @Override
    public synchronized CompletableFuture<Duration> visibilityTimeout() {
        attributeRequests.incrementAndGet();
        return visibilityTimeout;
    }

    @Override
    public synchronized void close() {
        closedWithDeletesInFlight = deletes.stream().anyMatch(delete -> !delete.isDone());
        closed = true;
    }
}
