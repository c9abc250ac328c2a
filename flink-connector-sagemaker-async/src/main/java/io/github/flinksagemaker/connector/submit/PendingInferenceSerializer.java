package io.github.flinksagemaker.connector.submit;

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
 * Serializer of {@link PendingInference}, with the element's serializer nested. Record format
 * version 1: a flags byte saying which nullable fields follow, the present strings, path, payload
 * size, submit time, deadline, rejection reason and message, element. A later format must keep a
 * reader for version 1, chosen by the snapshot version.
 */
@Internal
public final class PendingInferenceSerializer<E>
        extends ElementCarryingSerializer<PendingInference<E>, E> {
    private static final long serialVersionUID = 1L;

    private static final int HAS_INFERENCE_ID = 1;
    private static final int HAS_OUTPUT_LOCATION = 1 << 1;
    private static final int HAS_FAILURE_LOCATION = 1 << 2;
    private static final int HAS_INPUT_LOCATION = 1 << 3;
    private static final int HAS_ELEMENT = 1 << 4;
    private static final int IS_REJECTED = 1 << 5;
    private static final int HAS_PATH = 1 << 6;

    private static final SubmitPath[] PATHS = SubmitPath.values();
    private static final RejectionReason[] REASONS = RejectionReason.values();

    public PendingInferenceSerializer(TypeSerializer<E> elementSerializer) {
        super(elementSerializer);
    }

    @Override
    protected PendingInferenceSerializer<E> withElementSerializer(
            TypeSerializer<E> elementSerializer) {
        return new PendingInferenceSerializer<>(elementSerializer);
    }

    @Override
    public PendingInference<E> createInstance() {
        return PendingInference.rejected(
                null, null, -1, 0L, null, null, RejectionReason.SERIALIZATION_FAILED, "");
    }

    @Override
    public PendingInference<E> copy(PendingInference<E> from) {
        E element = copyElement(from.element());
        return new PendingInference<>(
                from.inferenceId(),
                from.outputLocation(),
                from.failureLocation(),
                from.path(),
                from.payloadBytes(),
                from.submitTimeMillis(),
                from.deadlineMillis(),
                from.inputLocation(),
                element,
                from.rejectionReason(),
                from.errorMessage());
    }

    @Override
    public void serialize(PendingInference<E> record, DataOutputView target) throws IOException {
        int flags =
                (record.inferenceId() != null ? HAS_INFERENCE_ID : 0)
                        | (record.outputLocation() != null ? HAS_OUTPUT_LOCATION : 0)
                        | (record.failureLocation() != null ? HAS_FAILURE_LOCATION : 0)
                        | (record.inputLocation() != null ? HAS_INPUT_LOCATION : 0)
                        | (record.element() != null ? HAS_ELEMENT : 0)
                        | (record.isRejected() ? IS_REJECTED : 0)
                        | (record.path() != null ? HAS_PATH : 0);
        target.writeByte(flags);
        writeIfPresent(record.inferenceId(), target);
        writeIfPresent(record.outputLocation(), target);
        writeIfPresent(record.failureLocation(), target);
        writeIfPresent(record.inputLocation(), target);
        if (record.path() != null) {
            target.writeByte(record.path().ordinal());
        }
        target.writeInt(record.payloadBytes());
        target.writeLong(record.submitTimeMillis());
        target.writeLong(record.deadlineMillis());
        if (record.isRejected()) {
            target.writeByte(record.rejectionReason().ordinal());
            StringValue.writeString(record.errorMessage(), target);
        }
        if (record.element() != null) {
            elementSerializer().serialize(record.element(), target);
        }
    }

    @Override
    public PendingInference<E> deserialize(DataInputView source) throws IOException {
        int flags = source.readUnsignedByte();
        String inferenceId = readIf(flags, HAS_INFERENCE_ID, source);
        String outputLocation = readIf(flags, HAS_OUTPUT_LOCATION, source);
        String failureLocation = readIf(flags, HAS_FAILURE_LOCATION, source);
        String inputLocation = readIf(flags, HAS_INPUT_LOCATION, source);
        SubmitPath path =
                (flags & HAS_PATH) != 0 ? Ordinals.read(PATHS, source.readUnsignedByte()) : null;
        int payloadBytes = source.readInt();
        long submitTime = source.readLong();
        long deadline = source.readLong();
        RejectionReason reason = null;
        String errorMessage = null;
        if ((flags & IS_REJECTED) != 0) {
            reason = Ordinals.read(REASONS, source.readUnsignedByte());
            errorMessage = StringValue.readString(source);
        }
        E element = (flags & HAS_ELEMENT) != 0 ? elementSerializer().deserialize(source) : null;
        return new PendingInference<>(
                inferenceId,
                outputLocation,
                failureLocation,
                path,
                payloadBytes,
                submitTime,
                deadline,
                inputLocation,
                element,
                reason,
                errorMessage);
    }

    @Override
    public TypeSerializerSnapshot<PendingInference<E>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    private static void writeIfPresent(String value, DataOutputView target) throws IOException {
        if (value != null) {
            StringValue.writeString(value, target);
        }
    }

    private static String readIf(int flags, int flag, DataInputView source) throws IOException {
        return (flags & flag) != 0 ? StringValue.readString(source) : null;
    }

    /** Snapshot of {@link PendingInferenceSerializer}: version 1, the element serializer nested. */
    public static final class Snapshot<E>
            extends CompositeTypeSerializerSnapshot<
                    PendingInference<E>, PendingInferenceSerializer<E>> {
        private static final int CURRENT_VERSION = 1;

        /** For reading a snapshot back. */
        public Snapshot() {}

        Snapshot(PendingInferenceSerializer<E> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return CURRENT_VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(
                PendingInferenceSerializer<E> outerSerializer) {
            return new TypeSerializer<?>[] {outerSerializer.elementSerializer()};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected PendingInferenceSerializer<E> createOuterSerializerWithNestedSerializers(
                TypeSerializer<?>[] nestedSerializers) {
            return new PendingInferenceSerializer<>((TypeSerializer<E>) nestedSerializers[0]);
        }
    }
}
