package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutputSerializer;
import io.github.flinksagemaker.connector.typeutils.ImmutableRecordSerializer;
import io.github.flinksagemaker.connector.typeutils.RecordFormatSnapshot;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * Serializer of {@link HeldOutput}. Format version 1: the object in {@link
 * InferenceOutputSerializer}'s format, then when it expires.
 */
@Internal
public final class HeldOutputSerializer extends ImmutableRecordSerializer<HeldOutput> {
    private static final long serialVersionUID = 1L;
    public static final HeldOutputSerializer INSTANCE = new HeldOutputSerializer();

    @Override
    public HeldOutput createInstance() {
        return new HeldOutput(InferenceOutputSerializer.INSTANCE.createInstance(), 0L);
    }

    @Override
    protected void write(HeldOutput held, DataOutputView target) throws IOException {
        InferenceOutputSerializer.INSTANCE.serialize(held.output(), target);
        target.writeLong(held.expiresAtMillis());
    }

    @Override
    public HeldOutput deserialize(DataInputView source) throws IOException {
        return new HeldOutput(
                InferenceOutputSerializer.INSTANCE.deserialize(source), source.readLong());
    }

    @Override
    public TypeSerializerSnapshot<HeldOutput> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link HeldOutputSerializer}: version 1. */
    public static final class Snapshot extends RecordFormatSnapshot<HeldOutput> {
        public Snapshot() {
            super(1, 1, () -> INSTANCE);
        }
    }
}
