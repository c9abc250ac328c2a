package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.util.CloseableIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads any {@code collectAsync} iterator on its own thread into a list, for a job's other streams
 * (window outputs, late data, checks) beside the {@link ResultCollector} of its results: as
 * exactly-once across failovers as {@code collectAsync} itself. Create it after the job was
 * submitted: the iterator needs the job's client.
 */
public final class CollectedStream<T> implements AutoCloseable {
    private final CloseableIterator<T> iterator;
    private final List<T> items = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread reader;

    public CollectedStream(CloseableIterator<T> iterator, String name) {
        this.iterator = iterator;
        this.reader =
                new Thread(
                        () -> {
                            try {
                                while (iterator.hasNext()) {
                                    items.add(iterator.next());
                                }
                            } catch (Throwable t) {
                                failure.set(t);
                            }
                        },
                        "collected-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Everything read so far. */
    public List<T> items() {
        return new ArrayList<>(items);
    }

    /** Why reading ended early (the job failed), or null. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Waits up to {@code millis} for the iterator to end, as it does once the job ended and its
     * last records were read; returns whether it ended.
     */
    public boolean awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
        return !reader.isAlive();
    }

    @Override
    public void close() throws Exception {
        iterator.close();
        reader.join(10_000);
    }
}
