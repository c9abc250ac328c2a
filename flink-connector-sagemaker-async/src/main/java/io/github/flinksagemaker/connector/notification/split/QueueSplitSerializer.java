package io.github.flinksagemaker.connector.notification.split;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;

/**
 * Serializer of {@link QueueSplit}. Version 1: the index (int). Every version ever written keeps a
 * reader here.
 */
@Internal
public final class QueueSplitSerializer implements SimpleVersionedSerializer<QueueSplit> {
    public static final QueueSplitSerializer INSTANCE = new QueueSplitSerializer();
    public static final int CURRENT_VERSION = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(QueueSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4);
        out.writeInt(split.index());
        return out.getCopyOfBuffer();
    }

    @Override
    public QueueSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException(
                    "Unknown QueueSplit serializer version "
                            + version
                            + "; this connector reads version "
                            + CURRENT_VERSION);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        QueueSplit split = new QueueSplit(in.readInt());
        if (in.available() > 0) {
            throw new IOException(
                    "Unexpected " + in.available() + " trailing bytes in a QueueSplit");
        }
        return split;
    }
}
