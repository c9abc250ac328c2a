package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * What every serializer of the connector's records shares: records have no fixed length and are
 * never reused, so the reuse variants read and copy fresh records; and each record reaches an
 * unbuffered target in one write.
 */
@Internal
public abstract class RecordSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    /** Per thread: the task thread and the checkpoint threads serialize at the same time. */
    private static final ThreadLocal<RecordBuffer> BUFFER =
            ThreadLocal.withInitial(RecordBuffer::new);

    /** Writes {@code record}'s bytes to {@code target}; the format of the record. */
    protected abstract void write(T record, DataOutputView target) throws IOException;

    /**
     * Heap snapshots and operator state write to an unbuffered stream, where every byte and every
     * character of a string is a call down the stream (about a seventh of a job's CPU in a
     * profile): such targets get the record's bytes in one write. Network buffers and RocksDB keys
     * and values are already a {@link DataOutputSerializer}.
     */
    @Override
    public final void serialize(T record, DataOutputView target) throws IOException {
        if (target instanceof DataOutputSerializer) {
            write(record, target);
            return;
        }
        RecordBuffer buffer = BUFFER.get();
        if (buffer.inUse) {
            write(record, target); // a record within a record: its bytes reach the outer buffer
            return;
        }
        buffer.inUse = true;
        try {
            write(record, buffer.bytes);
            target.write(buffer.bytes.getSharedBuffer(), 0, buffer.bytes.length());
        } finally {
            buffer.release();
        }
    }

    private static final class RecordBuffer {
        /** A buffer this large or larger is not kept for the thread's next record. */
        private static final int MAX_KEPT_BYTES = 64 * 1024;

        private DataOutputSerializer bytes = new DataOutputSerializer(512);
        private boolean inUse;

        void release() {
            inUse = false;
            if (bytes.getSharedBuffer().length >= MAX_KEPT_BYTES) {
                bytes = new DataOutputSerializer(512);
            } else {
                bytes.clear();
            }
        }
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }
}
