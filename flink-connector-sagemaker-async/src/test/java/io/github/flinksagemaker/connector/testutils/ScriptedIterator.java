package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.util.CloseableIterator;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a job's {@code collect} iterator: gives its items, then fails as a failed job's
 * iterator does ({@code failAfter} later), or stays open, with nothing more, until closed.
 */
public final class ScriptedIterator<T> implements CloseableIterator<T> {
    private final Queue<T> items;
    private final RuntimeException failure;
    private final long failAfterMillis;
    private final CountDownLatch closed = new CountDownLatch(1);

    private ScriptedIterator(List<T> items, RuntimeException failure, long failAfterMillis) {
        this.items = new ArrayDeque<>(items);
        this.failure = failure;
        this.failAfterMillis = failAfterMillis;
    }

    /** Gives {@code items}, then throws {@code failure} {@code failAfterMillis} later. */
    public static <T> ScriptedIterator<T> failing(
            List<T> items, RuntimeException failure, long failAfterMillis) {
        return new ScriptedIterator<>(items, failure, failAfterMillis);
    }

    /** Gives {@code items}, then nothing more until closed, as a running job's iterator. */
    public static <T> ScriptedIterator<T> open(List<T> items) {
        return new ScriptedIterator<>(items, null, 0);
    }

    @Override
    public synchronized boolean hasNext() {
        if (!items.isEmpty()) {
            return true;
        }
        try {
            boolean wasClosed =
                    failure == null
                            ? closed.await(Long.MAX_VALUE, TimeUnit.MILLISECONDS)
                            : closed.await(failAfterMillis, TimeUnit.MILLISECONDS);
            if (!wasClosed) {
                throw failure;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public synchronized T next() {
        return items.remove();
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
