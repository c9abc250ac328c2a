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
 * unbuffered target in one write, or in chunks when large.
 */
@Internal
public abstract class RecordSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    /** Per thread: the task thread and the checkpoint threads serialize at the same time. */
    private static final ThreadLocal<ChunkedBuffer> BUFFER =
            ThreadLocal.withInitial(ChunkedBuffer::new);

    /** Writes {@code record}'s bytes to {@code target}; the format of the record. */
    protected abstract void write(T record, DataOutputView target) throws IOException;

    /**
     * Heap snapshots and operator state write to an unbuffered stream, where every byte and every
     * character of a string is a call down the stream (about a seventh of a job's CPU in a
     * profile): such targets get a record's bytes in one write, or in chunks when it is large.
     * Network buffers and RocksDB keys and values are already a {@link DataOutputSerializer}, and
     * so is the chunk a record within a record is written to.
     */
    @Override
    public final void serialize(T record, DataOutputView target) throws IOException {
        if (target instanceof DataOutputSerializer) {
            write(record, target);
            return;
        }
        ChunkedBuffer buffer = BUFFER.get();
        if (buffer.target != null) {
            write(record, target); // the buffer is busy with a record for another target
            return;
        }
        buffer.target = target;
        try {
            write(record, buffer);
            buffer.flush();
        } finally {
            buffer.release();
        }
    }

    /**
     * Gathers a record's small writes and passes them on whenever a chunk is full; a large array
     * goes straight through, so a large record is never copied whole.
     */
    private static final class ChunkedBuffer extends DataOutputSerializer {
        private static final int CHUNK_BYTES = 16 * 1024;

        /** A buffer grown this large (by one long string) is not kept for the next record. */
        private static final int MAX_KEPT_BYTES = 4 * CHUNK_BYTES;

        /** Where the record being written goes; null between records. */
        private DataOutputView target;

        ChunkedBuffer() {
            super(CHUNK_BYTES);
        }

        @Override
        public void write(int b) throws IOException {
            if (length() >= CHUNK_BYTES) {
                flush();
            }
            super.write(b);
        }

        @Override
        public void write(byte[] bytes) throws IOException {
            write(bytes, 0, bytes.length);
        }

        @Override
        public void write(byte[] bytes, int offset, int count) throws IOException {
            if (length() + count > CHUNK_BYTES) {
                flush();
                if (count >= CHUNK_BYTES) {
                    target.write(bytes, offset, count);
                    return;
                }
            }
            super.write(bytes, offset, count);
        }

        void flush() throws IOException {
            if (length() > 0) {
                target.write(getSharedBuffer(), 0, length());
                clear();
            }
        }

        void release() {
            target = null;
            clear();
            if (getSharedBuffer().length > MAX_KEPT_BYTES) {
                BUFFER.remove();
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
