package io.github.flinksagemaker.connector.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work on many threads released at the same instant, as the AWS SDK's completion threads call
 * a connector's metrics: unsynchronized updates then really race, and lose some of their effect.
 */
public final class Concurrently {
    /** Enough threads and repetitions that a plain {@code count++} loses updates every run. */
    public static final int THREADS = 8;

    public static final int TIMES_EACH = 50_000;

    private Concurrently() {}

    /** Runs {@code action} {@link #TIMES_EACH} times on each of {@link #THREADS} threads. */
    public static void repeat(Runnable action) throws InterruptedException {
        run(
                THREADS,
                thread -> {
                    for (int i = 0; i < TIMES_EACH; i++) {
                        action.run();
                    }
                });
    }

    /** What one thread does; {@code thread} is its index. */
    @FunctionalInterface
    public interface Work {
        void run(int thread) throws Exception;
    }

    /** Runs {@code work} once on each of {@code threads} threads, all started together. */
    public static void run(int threads, Work work) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread thread =
                    new Thread(
                            () -> {
                                ready.countDown();
                                try {
                                    go.await();
                                    work.run(index);
                                } catch (Throwable e) {
                                    failure.compareAndSet(null, e);
                                }
                            },
                            "concurrently-" + t);
            thread.start();
            started.add(thread);
        }
        ready.await();
        go.countDown();
        for (Thread thread : started) {
            thread.join(TimeUnit.MINUTES.toMillis(1));
            if (thread.isAlive()) {
                throw new AssertionError(thread.getName() + " did not finish within a minute");
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("A concurrent worker failed", failure.get());
        }
    }
}
