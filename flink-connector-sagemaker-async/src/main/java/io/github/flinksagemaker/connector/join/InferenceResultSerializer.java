package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.typeutils.ElementCarryingSerializer;
import io.github.flinksagemaker.connector.typeutils.Ordinals;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Serializer of {@link InferenceResult}, with the element's serializer nested. Record format
 * version 2: status, a flags byte saying which nullable fields follow (its top bit announcing a
 * second flags byte), the present fields, submit and completed times, element. Version 1 had no
 * second flags byte (no input location; the content counted as included for a MODEL_ERROR and for a
 * SUCCESS with output), so this reader reads both.
 */
@Internal
public final class InferenceResultSerializer<E>
        extends ElementCarryingSerializer<InferenceResult<E>, E> {
    private static final long serialVersionUID = 1L;

    private static final int HAS_INFERENCE_ID = 1;
    private static final int HAS_ELEMENT = 1 << 1;
    private static final int HAS_PATH = 1 << 2;
    private static final int HAS_OUTPUT = 1 << 3;
    private static final int HAS_CONTENT_TYPE = 1 << 4;
    private static final int HAS_LOCATION = 1 << 5;
    private static final int HAS_ERROR = 1 << 6;
    private static final int HAS_MORE_FLAGS = 1 << 7;

    private static final int HAS_INPUT_LOCATION = 1;
    private static final int CONTENT_INCLUDED = 1 << 1;

    private static final InferenceStatus[] STATUSES = InferenceStatus.values();
    private static final SubmitPath[] PATHS = SubmitPath.values();

    public InferenceResultSerializer(TypeSerializer<E> elementSerializer) {
        super(elementSerializer);
    }

    @Override
    protected InferenceResultSerializer<E> withElementSerializer(
            TypeSerializer<E> elementSerializer) {
        return new InferenceResultSerializer<>(elementSerializer);
    }

    @Override
    public InferenceResult<E> createInstance() {
        return new InferenceResult<>(
                InferenceStatus.REJECTED,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                0L,
                0L);
    }

    @Override
    public InferenceResult<E> copy(InferenceResult<E> from) {
        return new InferenceResult<>(
                from.status(),
                from.inferenceId(),
                copyElement(from.element()),
                from.path(),
                from.output(),
                from.contentType(),
                from.resultLocation(),
                from.errorMessage(),
                from.inputLocation(),
                from.isResultContentIncluded(),
                from.submitTimeMillis(),
                from.completedTimeMillis());
    }

    @Override
    protected void write(InferenceResult<E> record, DataOutputView target) throws IOException {
        target.writeByte(record.status().ordinal());
        int flags =
                (record.inferenceId() != null ? HAS_INFERENCE_ID : 0)
                        | (record.element() != null ? HAS_ELEMENT : 0)
                        | (record.path() != null ? HAS_PATH : 0)
                        | (record.output() != null ? HAS_OUTPUT : 0)
                        | (record.contentType() != null ? HAS_CONTENT_TYPE : 0)
                        | (record.resultLocation() != null ? HAS_LOCATION : 0)
                        | (record.errorMessage() != null ? HAS_ERROR : 0)
                        | HAS_MORE_FLAGS;
        target.writeByte(flags);
        target.writeByte(
                (record.inputLocation() != null ? HAS_INPUT_LOCATION : 0)
                        | (record.isResultContentIncluded() ? CONTENT_INCLUDED : 0));
        if (record.inferenceId() != null) {
            StringValue.writeString(record.inferenceId(), target);
        }
        if (record.path() != null) {
            target.writeByte(record.path().ordinal());
        }
        if (record.output() != null) {
            target.writeInt(record.output().length);
            target.write(record.output());
        }
        if (record.contentType() != null) {
            StringValue.writeString(record.contentType(), target);
        }
        if (record.resultLocation() != null) {
            StringValue.writeString(record.resultLocation(), target);
        }
        if (record.errorMessage() != null) {
            StringValue.writeString(record.errorMessage(), target);
        }
        if (record.inputLocation() != null) {
            StringValue.writeString(record.inputLocation(), target);
        }
        target.writeLong(record.submitTimeMillis());
        target.writeLong(record.completedTimeMillis());
        if (record.element() != null) {
            elementSerializer().serialize(record.element(), target);
        }
    }

    @Override
    public InferenceResult<E> deserialize(DataInputView source) throws IOException {
        InferenceStatus status = Ordinals.read(STATUSES, source.readUnsignedByte());
        int flags = source.readUnsignedByte();
        int moreFlags = (flags & HAS_MORE_FLAGS) != 0 ? source.readUnsignedByte() : -1;
        String inferenceId =
                (flags & HAS_INFERENCE_ID) != 0 ? StringValue.readString(source) : null;
        SubmitPath path =
                (flags & HAS_PATH) != 0 ? Ordinals.read(PATHS, source.readUnsignedByte()) : null;
        byte[] output = null;
        if ((flags & HAS_OUTPUT) != 0) {
            output = new byte[source.readInt()];
            source.readFully(output);
        }
        String contentType =
                (flags & HAS_CONTENT_TYPE) != 0 ? StringValue.readString(source) : null;
        String location = (flags & HAS_LOCATION) != 0 ? StringValue.readString(source) : null;
        String error = (flags & HAS_ERROR) != 0 ? StringValue.readString(source) : null;
        String inputLocation =
                moreFlags > 0 && (moreFlags & HAS_INPUT_LOCATION) != 0
                        ? StringValue.readString(source)
                        : null;
        boolean contentIncluded =
                moreFlags >= 0
                        ? (moreFlags & CONTENT_INCLUDED) != 0
                        : status == InferenceStatus.MODEL_ERROR
                                || (status == InferenceStatus.SUCCESS && output != null);
        long submitted = source.readLong();
        long completed = source.readLong();
        E element = (flags & HAS_ELEMENT) != 0 ? elementSerializer().deserialize(source) : null;
        return new InferenceResult<>(
                status,
                inferenceId,
                element,
                path,
                output,
                contentType,
                location,
                error,
                inputLocation,
                contentIncluded,
                submitted,
                completed);
    }

    @Override
    public TypeSerializerSnapshot<InferenceResult<E>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /**
     * Snapshot of {@link InferenceResultSerializer}: version 2 (reads 1), the element serializer
     * nested.
     */
    public static final class Snapshot<E>
            extends CompositeTypeSerializerSnapshot<
                    InferenceResult<E>, InferenceResultSerializer<E>> {
        private static final int CURRENT_VERSION = 2;

        public Snapshot() {}

        Snapshot(InferenceResultSerializer<E> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return CURRENT_VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(InferenceResultSerializer<E> outer) {
            return new TypeSerializer<?>[] {outer.elementSerializer()};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected InferenceResultSerializer<E> createOuterSerializerWithNestedSerializers(
                TypeSerializer<?>[] nested) {
            return new InferenceResultSerializer<>((TypeSerializer<E>) nested[0]);
        }
    }
}
