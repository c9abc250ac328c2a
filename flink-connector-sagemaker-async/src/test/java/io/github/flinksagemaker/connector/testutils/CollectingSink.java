package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects records into a list of its own, across the job runs it is used in. Not transactional:
 * exact only for runs without failures (e.g. stop-with-savepoint and restore). Each instance starts
 * empty, whatever its name: a test's sink never holds records of an earlier test.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> LISTS = new ConcurrentHashMap<>();

    /** The name, made unique: the writers on the cluster find the list by it. */
    private final String key;

    public CollectingSink(String name) {
        this.key = name + "#" + UUID.randomUUID();
        LISTS.put(key, new CopyOnWriteArrayList<>());
    }

    @SuppressWarnings("unchecked")
    public List<T> collected() {
        return (List<T>) (List<?>) LISTS.get(key);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> list = LISTS.get(key);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context context) {
                list.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
