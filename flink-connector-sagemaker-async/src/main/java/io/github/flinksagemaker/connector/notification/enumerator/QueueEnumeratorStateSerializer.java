package io.github.flinksagemaker.connector.notification.enumerator;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.TreeSet;

/**
 * Serializer of {@link QueueEnumeratorState}. Version 1: split count (int), number of unassigned
 * splits (int), their indexes (ints, ascending). Every version ever written keeps a reader here.
 */
@Internal
public final class QueueEnumeratorStateSerializer
        implements SimpleVersionedSerializer<QueueEnumeratorState> {
    public static final int CURRENT_VERSION = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(QueueEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(8 + 4 * state.unassigned().size());
        out.writeInt(state.splitCount());
        out.writeInt(state.unassigned().size());
        for (int index : state.unassigned()) {
            out.writeInt(index);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public QueueEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException(
                    "Unknown QueueEnumeratorState serializer version "
                            + version
                            + "; this connector reads version "
                            + CURRENT_VERSION);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int splitCount = in.readInt();
        int size = in.readInt();
        TreeSet<Integer> unassigned = new TreeSet<>();
        for (int i = 0; i < size; i++) {
            unassigned.add(in.readInt());
        }
        if (in.available() > 0) {
            throw new IOException(
                    "Unexpected " + in.available() + " trailing bytes in a QueueEnumeratorState");
        }
        return new QueueEnumeratorState(splitCount, unassigned);
    }
}
