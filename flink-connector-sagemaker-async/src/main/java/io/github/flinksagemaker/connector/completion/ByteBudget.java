package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.Internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the result bytes a reader holds: an object's size is taken before its GET starts and given
 * back once it is emitted. One object is always allowed, so an object larger than the budget (but
 * within the content limit) still gets read, alone.
 */
@Internal
public final class ByteBudget {
    private final long maxBytes;
    private final AtomicLong held = new AtomicLong();

    public ByteBudget(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Takes {@code bytes} if they fit (or nothing is held); false otherwise. */
    public boolean tryTake(long bytes) {
        while (true) {
            long current = held.get();
            if (current > 0 && current + bytes > maxBytes) {
                return false;
            }
            if (held.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    public void giveBack(long bytes) {
        held.addAndGet(-bytes);
    }

    public long held() {
        return held.get();
    }
}
