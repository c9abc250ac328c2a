package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.Internal;

import java.util.TreeMap;

/**
 * The watermark the join may emit: its input's watermark, held back before the earliest timestamp
 * of an element that has no result yet, so that no result is ever late downstream. This is the
 * guarantee of Flink's unordered Async I/O, for results that arrive hours after their elements.
 *
 * <p>The pending timestamps are a sorted multiset, so adding, removing and finding the earliest are
 * O(log pending). It is never checkpointed: the keyed state holds every pending element's
 * timestamp, and the join rebuilds the hold from it on restore, so the two cannot disagree after a
 * rescale.
 */
@Internal
public final class WatermarkHold {
    private final TreeMap<Long, Integer> pending = new TreeMap<>();
    private int size;
    private long input = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;

    /** An element with this timestamp waits for its result. */
    public void add(long timestamp) {
        pending.merge(timestamp, 1, Integer::sum);
        size++;
    }

    /** An element with this timestamp got its result. */
    public void remove(long timestamp) {
        Integer count = pending.get(timestamp);
        if (count == null) {
            throw new IllegalStateException("No pending element has timestamp " + timestamp);
        }
        if (count == 1) {
            pending.remove(timestamp);
        } else {
            pending.put(timestamp, count - 1);
        }
        size--;
    }

    /** The input's watermark advanced; watermarks never go back. */
    public void advanceInput(long watermark) {
        input = Math.max(input, watermark);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    public long inputWatermark() {
        return input;
    }

    /**
     * The watermark to emit now, or {@link Long#MIN_VALUE} when it would not advance the last one:
     * the input's, but before the earliest pending timestamp.
     */
    public long advance() {
        long allowed = pending.isEmpty() ? input : Math.min(input, justBefore(pending.firstKey()));
        if (allowed <= emitted) {
            return Long.MIN_VALUE;
        }
        emitted = allowed;
        return allowed;
    }

    private static long justBefore(long timestamp) {
        return timestamp == Long.MIN_VALUE ? timestamp : timestamp - 1;
    }
}
