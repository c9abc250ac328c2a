package io.github.flinksagemaker.benchmarks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the benchmark jobs (on the in-JVM MiniCluster) report what their sinks saw: a count, the
 * first and last arrival, and optional per-record values such as latencies.
 */
final class Recorder {
    private static final Map<String, Recorder> RECORDERS = new ConcurrentHashMap<>();

    final AtomicLong count = new AtomicLong();
    final AtomicLong firstNanos = new AtomicLong();
    final AtomicLong lastNanos = new AtomicLong();
    final ConcurrentLinkedQueue<Long> values = new ConcurrentLinkedQueue<>();

    /** When each recorded value's element was submitted (epoch ms), where a job records it. */
    final ConcurrentLinkedQueue<Long> submitTimes = new ConcurrentLinkedQueue<>();

    static Recorder create(String name) {
        Recorder recorder = new Recorder();
        RECORDERS.put(name, recorder);
        return recorder;
    }

    static Recorder get(String name) {
        return RECORDERS.get(name);
    }

    void arrived() {
        long now = System.nanoTime();
        firstNanos.compareAndSet(0, now);
        lastNanos.set(now);
        count.incrementAndGet();
    }

    /** Elements per second between the first and the last arrival. */
    double ratePerSecond() {
        long elapsed = lastNanos.get() - firstNanos.get();
        return elapsed <= 0 ? 0 : (count.get() - 1) * 1e9 / elapsed;
    }
}
