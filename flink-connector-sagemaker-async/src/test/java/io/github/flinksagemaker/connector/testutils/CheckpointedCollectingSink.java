package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects records into a list of its own (each instance starts empty, whatever its name), across
 * the job runs it is used in, and tells which of them a checkpoint covers: those written before its
 * barrier reached the sink, which is what a transactional sink would have committed with it. A job
 * restored from that checkpoint emits the others again (or their elements' results anew), so
 * "exactly once across a restore" is the records a checkpoint covers plus everything the restored
 * job writes.
 */
public final class CheckpointedCollectingSink<T> implements Sink<T>, SupportsWriterState<T, Void> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Written<?>>> LISTS = new ConcurrentHashMap<>();

    /** A record and the first checkpoint whose barrier came after it, once one did. */
    private static final class Written<T> {
        final T record;
        volatile long coveringCheckpoint = Long.MAX_VALUE;

        Written(T record) {
            this.record = record;
        }
    }

    /** The name, made unique: the writers on the cluster find the list by it. */
    private final String key;

    public CheckpointedCollectingSink(String name) {
        this.key = name + "#" + UUID.randomUUID();
        LISTS.put(key, new CopyOnWriteArrayList<>());
    }

    /** Every record written, in the order written. */
    public List<T> collected() {
        return written().stream().map(w -> w.record).toList();
    }

    /** The records written before the barrier of checkpoint {@code checkpointId}. */
    public List<T> coveredBy(long checkpointId) {
        return written().stream()
                .filter(w -> w.coveringCheckpoint <= checkpointId)
                .map(w -> w.record)
                .toList();
    }

    /** The records written after the barrier of checkpoint {@code checkpointId}. */
    public List<T> notCoveredBy(long checkpointId) {
        return written().stream()
                .filter(w -> w.coveringCheckpoint > checkpointId)
                .map(w -> w.record)
                .toList();
    }

    @SuppressWarnings("unchecked")
    private List<Written<T>> written() {
        return (List<Written<T>>) (List<?>) LISTS.get(key);
    }

    @Override
    public StatefulSinkWriter<T, Void> createWriter(WriterInitContext context) {
        List<Written<T>> all = written();
        return new StatefulSinkWriter<>() {
            private final List<Written<T>> sinceBarrier = new ArrayList<>();

            @Override
            public void write(T element, Context context) {
                Written<T> written = new Written<>(element);
                sinceBarrier.add(written);
                all.add(written);
            }

            @Override
            public List<Void> snapshotState(long checkpointId) {
                sinceBarrier.forEach(w -> w.coveringCheckpoint = checkpointId);
                sinceBarrier.clear();
                return List.of();
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }

    @Override
    public StatefulSinkWriter<T, Void> restoreWriter(
            WriterInitContext context, Collection<Void> recoveredState) {
        return createWriter(context);
    }

    /** The writer keeps no state: this never serializes anything. */
    @Override
    public SimpleVersionedSerializer<Void> getWriterStateSerializer() {
        return new SimpleVersionedSerializer<>() {
            @Override
            public int getVersion() {
                return 1;
            }

            @Override
            public byte[] serialize(Void state) {
                return new byte[0];
            }

            @Override
            public Void deserialize(int version, byte[] serialized) {
                return null;
            }
        };
    }
}
