package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.typeutils.CompactText;
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
 * version 2, which the join keeps for every pending inference: a flags byte saying which nullable
 * fields follow (its top bit marking version 2), the inference ID and output location as {@link
 * CompactText}, the failure and input locations relative to the output location, then path, payload
 * size, submit time, deadline, rejection reason and message, element. Version 1 is the same with
 * every string written whole and the top bit clear, so this reader reads both. The top bit, not the
 * snapshot version, tells them apart: RocksDB keeps restored version-1 records as they are until
 * they are written again, so the version-1 reader must stay.
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
    private static final int COMPACT_STRINGS = 1 << 7;

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
    protected void write(PendingInference<E> record, DataOutputView target) throws IOException {
        int flags =
                (record.inferenceId() != null ? HAS_INFERENCE_ID : 0)
                        | (record.outputLocation() != null ? HAS_OUTPUT_LOCATION : 0)
                        | (record.failureLocation() != null ? HAS_FAILURE_LOCATION : 0)
                        | (record.inputLocation() != null ? HAS_INPUT_LOCATION : 0)
                        | (record.element() != null ? HAS_ELEMENT : 0)
                        | (record.isRejected() ? IS_REJECTED : 0)
                        | (record.path() != null ? HAS_PATH : 0)
                        | COMPACT_STRINGS;
        target.writeByte(flags);
        String output = record.outputLocation() != null ? record.outputLocation() : "";
        if (record.inferenceId() != null) {
            CompactText.write(record.inferenceId(), target);
        }
        if (record.outputLocation() != null) {
            CompactText.write(output, target);
        }
        if (record.failureLocation() != null) {
            CompactText.writeRelative(record.failureLocation(), output, target);
        }
        if (record.inputLocation() != null) {
            CompactText.writeRelative(record.inputLocation(), output, target);
        }
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
        String inferenceId;
        String outputLocation;
        String failureLocation;
        String inputLocation;
        if ((flags & COMPACT_STRINGS) != 0) {
            inferenceId = (flags & HAS_INFERENCE_ID) != 0 ? CompactText.read(source) : null;
            outputLocation = (flags & HAS_OUTPUT_LOCATION) != 0 ? CompactText.read(source) : null;
            String base = outputLocation != null ? outputLocation : "";
            failureLocation = readRelativeIf(flags, HAS_FAILURE_LOCATION, base, source);
            inputLocation = readRelativeIf(flags, HAS_INPUT_LOCATION, base, source);
        } else {
            inferenceId = readIf(flags, HAS_INFERENCE_ID, source);
            outputLocation = readIf(flags, HAS_OUTPUT_LOCATION, source);
            failureLocation = readIf(flags, HAS_FAILURE_LOCATION, source);
            inputLocation = readIf(flags, HAS_INPUT_LOCATION, source);
        }
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

    private static String readIf(int flags, int flag, DataInputView source) throws IOException {
        return (flags & flag) != 0 ? StringValue.readString(source) : null;
    }

    private static String readRelativeIf(int flags, int flag, String base, DataInputView source)
            throws IOException {
        return (flags & flag) != 0 ? CompactText.readRelative(base, source) : null;
    }

    /**
     * Snapshot of {@link PendingInferenceSerializer}, the element serializer nested: version 2.
     * Version 1 snapshots restore as compatible, since the reader reads both record formats.
     */
    public static final class Snapshot<E>
            extends CompositeTypeSerializerSnapshot<
                    PendingInference<E>, PendingInferenceSerializer<E>> {
        private static final int CURRENT_VERSION = 2;

        /** For reading a snapshot back. */
        public Snapshot() {}

        Snapshot(PendingInferenceSerializer<E> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return CURRENT_VERSION;
        }

        /** Flink does not check the outer version: a newer format must not be misread. */
        @Override
        protected void readOuterSnapshot(
                int readOuterSnapshotVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            if (readOuterSnapshotVersion > CURRENT_VERSION) {
                throw new IOException(
                        "PendingInference state of format version "
                                + readOuterSnapshotVersion
                                + " (this version reads 1 to "
                                + CURRENT_VERSION
                                + "): written by a newer version of the connector?");
            }
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
