package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.typeutils.ImmutableRecordSerializer;
import io.github.flinksagemaker.connector.typeutils.RecordFormatSnapshot;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Serializer of {@link TaggedOutput}. Format version 1: inference ID, then the object in {@link
 * InferenceOutputSerializer}'s format (whose reader reads each of its versions).
 */
@Internal
public final class TaggedOutputSerializer extends ImmutableRecordSerializer<TaggedOutput> {
    private static final long serialVersionUID = 1L;
    public static final TaggedOutputSerializer INSTANCE = new TaggedOutputSerializer();

    @Override
    public TaggedOutput createInstance() {
        return new TaggedOutput("", InferenceOutputSerializer.INSTANCE.createInstance());
    }

    @Override
    protected void write(TaggedOutput tagged, DataOutputView target) throws IOException {
        StringValue.writeString(tagged.inferenceId(), target);
        InferenceOutputSerializer.INSTANCE.serialize(tagged.output(), target);
    }

    @Override
    public TaggedOutput deserialize(DataInputView source) throws IOException {
        return new TaggedOutput(
                StringValue.readString(source),
                InferenceOutputSerializer.INSTANCE.deserialize(source));
    }

    @Override
    public TypeSerializerSnapshot<TaggedOutput> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of {@link TaggedOutputSerializer}: version 1. */
    public static final class Snapshot extends RecordFormatSnapshot<TaggedOutput> {
        public Snapshot() {
            super(1, 1, () -> INSTANCE);
        }
    }
}
