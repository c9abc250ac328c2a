package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.typeutils.ImmutableRecordSerializer;
import io.github.flinksagemaker.connector.typeutils.Ordinals;
import io.github.flinksagemaker.connector.typeutils.RecordFormatSnapshot;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** Serializer of {@link Claimant}. Format version 1: inference ID, expected status, deadline. */
@Internal
public final class ClaimantSerializer extends ImmutableRecordSerializer<Claimant> {
    private static final long serialVersionUID = 1L;
    public static final ClaimantSerializer INSTANCE = new ClaimantSerializer();
    private static final ResultStatus[] STATUSES = ResultStatus.values();

    @Override
    public Claimant createInstance() {
        return new Claimant("", ResultStatus.SUCCESS, 0L);
    }

    @Override
    protected void write(Claimant claimant, DataOutputView target) throws IOException {
        StringValue.writeString(claimant.inferenceId(), target);
        target.writeByte(claimant.expected().canonical().ordinal());
        target.writeLong(claimant.deadlineMillis());
    }

    @Override
    public Claimant deserialize(DataInputView source) throws IOException {
        return new Claimant(
                StringValue.readString(source),
                Ordinals.read(STATUSES, source.readUnsignedByte()),
                source.readLong());
    }

    @Override
    public TypeSerializerSnapshot<Claimant> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link ClaimantSerializer}: version 1. */
    public static final class Snapshot extends RecordFormatSnapshot<Claimant> {
        public Snapshot() {
            super(1, 1, () -> INSTANCE);
        }
    }
}
