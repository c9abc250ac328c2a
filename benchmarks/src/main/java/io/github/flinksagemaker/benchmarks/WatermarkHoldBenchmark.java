package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.join.WatermarkHold;
import io.github.flinksagemaker.connector.submit.PendingInference;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.HashMap;
import java.util.SplittableRandom;

/**
 * What the join's watermark hold costs per element with many inferences pending: in steady state,
 * each element adds its timestamp (later than all pending: elements arrive in event time), the
 * result of a pending one removes that one's, the input's watermark advances and the hold computes
 * the watermark to emit; the number pending stays constant. Timestamps are all distinct (one per
 * millisecond), the worst case for the sorted multiset. Results complete either in a random order
 * or in submit order (the oldest first, which moves the earliest pending every time).
 */
final class WatermarkHoldBenchmark {
    private static final long FIRST_TIMESTAMP = 1_795_000_000_000L;

    /** How far the input's watermark trails the newest element, in milliseconds (elements). */
    private static final long INPUT_WATERMARK_DELAY = 200;

    private WatermarkHoldBenchmark() {}

    /**
     * Nanoseconds per element (add + remove + advanceInput + advance) with {@code pending} pending.
     *
     * @param randomOrder results in random order; otherwise the oldest pending first
     */
    static double nanosPerElement(int pending, boolean randomOrder, long elements, long seed) {
        WatermarkHold hold = new WatermarkHold();
        long[] slots = new long[pending];
        long next = FIRST_TIMESTAMP;
        for (int i = 0; i < pending; i++) {
            slots[i] = next;
            hold.add(next++);
        }
        SplittableRandom random = new SplittableRandom(seed);
        long sink = 0;
        int oldest = 0;
        // As many elements again, untimed: the tree settles into its steady-state shape.
        long warm = Math.min(elements, Math.max(pending, 100_000));
        long started = 0;
        for (long i = -warm; i < elements; i++) {
            if (i == 0) {
                started = System.nanoTime();
            }
            long timestamp = next++;
            hold.add(timestamp);
            int slot;
            if (randomOrder) {
                slot = random.nextInt(pending);
            } else {
                slot = oldest;
                oldest = oldest + 1 == pending ? 0 : oldest + 1;
            }
            hold.remove(slots[slot]);
            slots[slot] = timestamp;
            hold.advanceInput(timestamp - INPUT_WATERMARK_DELAY);
            sink += hold.advance();
        }
        long elapsed = System.nanoTime() - started;
        if (hold.size() != pending || sink == 42) {
            throw new IllegalStateException("hold has " + hold.size() + " pending");
        }
        return elapsed / (double) elements;
    }

    /**
     * The same steady state on a hash multiset of the same timestamps: add and remove are O(1), so
     * whatever it gains from n = 1,000 to larger n is the memory hierarchy (more nodes than the
     * caches hold), not the algorithm. The reference that separates the two in the hold's growth.
     */
    static double hashMapNanosPerElement(
            int pending, boolean randomOrder, long elements, long seed) {
        HashMap<Long, Integer> counts = new HashMap<>();
        long[] slots = new long[pending];
        long next = FIRST_TIMESTAMP;
        for (int i = 0; i < pending; i++) {
            slots[i] = next;
            counts.merge(next++, 1, Integer::sum);
        }
        SplittableRandom random = new SplittableRandom(seed);
        int oldest = 0;
        long warm = Math.min(elements, Math.max(pending, 100_000));
        long started = 0;
        for (long i = -warm; i < elements; i++) {
            if (i == 0) {
                started = System.nanoTime();
            }
            long timestamp = next++;
            counts.merge(timestamp, 1, Integer::sum);
            int slot;
            if (randomOrder) {
                slot = random.nextInt(pending);
            } else {
                slot = oldest;
                oldest = oldest + 1 == pending ? 0 : oldest + 1;
            }
            counts.computeIfPresent(slots[slot], (t, count) -> count == 1 ? null : count - 1);
            slots[slot] = timestamp;
        }
        long elapsed = System.nanoTime() - started;
        if (counts.size() != pending) {
            throw new IllegalStateException("map has " + counts.size() + " pending");
        }
        return elapsed / (double) elements;
    }

    /**
     * Nanoseconds per element through the whole join operator (keyed harness, heap state): the
     * pending record in, then the result of the one submitted {@code pending} elements earlier, a
     * watermark every {@link #JOIN_WATERMARK_EVERY} elements; with or without element timestamps,
     * so the difference is what event time (the timestamp state and the hold) adds.
     */
    static double joinNanosPerElement(int pending, boolean withTimestamps, int elements)
            throws Exception {
        int total = pending + elements;
        @SuppressWarnings("unchecked")
        PendingInference<Void>[] records = new PendingInference[total];
        TaggedOutput[] outputs = new TaggedOutput[total];
        for (int i = 0; i < total; i++) {
            records[i] = StateBenchmark.pending(i);
            outputs[i] =
                    new TaggedOutput(records[i].inferenceId(), StateBenchmark.output(records[i]));
        }
        try (var join = StateBenchmark.join()) {
            long started = 0;
            for (int i = 0; i < total; i++) {
                if (i == pending) {
                    join.getOutput().clear();
                    started = System.nanoTime();
                }
                long timestamp = FIRST_TIMESTAMP + i;
                join.processElement1(
                        withTimestamps
                                ? new StreamRecord<>(records[i], timestamp)
                                : new StreamRecord<>(records[i]));
                if (i >= pending) {
                    join.processElement2(new StreamRecord<>(outputs[i - pending]));
                }
                if (i % JOIN_WATERMARK_EVERY == 0) {
                    join.processWatermark1(new Watermark(timestamp - INPUT_WATERMARK_DELAY));
                    join.getOutput().clear();
                }
            }
            return (System.nanoTime() - started) / (double) elements;
        }
    }

    static final int JOIN_WATERMARK_EVERY = 100;

    /** log2(n): what an O(log n) cost grows with. */
    static double log2(double n) {
        return Math.log(n) / Math.log(2);
    }
}
