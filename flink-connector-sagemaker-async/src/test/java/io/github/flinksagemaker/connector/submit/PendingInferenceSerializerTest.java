package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compatibility of {@link PendingInferenceSerializer}: the golden files under {@code
 * src/test/resources/golden} were written once by version 1 and are never regenerated. If a test
 * here fails, the format changed: keep a reader for version 1 and add new golden files.
 */
class PendingInferenceSerializerTest {
    private static final PendingInferenceSerializer<String> SERIALIZER =
            new PendingInferenceSerializer<>(StringSerializer.INSTANCE);

    static final PendingInference<String> ACCEPTED =
            PendingInference.accepted(
                    "inference-1",
                    "s3://bucket/output/1.out",
                    "s3://bucket/failure/1-error.out",
                    SubmitPath.S3,
                    130_000,
                    1_764_000_000_000L,
                    1_764_021_900_000L,
                    "s3://bucket/input/inference-1",
                    "element-1");

    static final PendingInference<String> REJECTED =
            PendingInference.rejected(
                    "inference-2",
                    SubmitPath.INLINE,
                    42,
                    1_764_000_000_123L,
                    null,
                    "element-2",
                    RejectionReason.VALIDATION_ERROR,
                    "ValidationError: Value at 'filename' failed");

    @Test
    void writesVersion1BytesForAnAcceptedRecord() throws IOException {
        assertThat(serialize(ACCEPTED)).isEqualTo(golden("pending-inference-v1-accepted.bin"));
    }

    @Test
    void writesVersion1BytesForARejectedRecord() throws IOException {
        assertThat(serialize(REJECTED)).isEqualTo(golden("pending-inference-v1-rejected.bin"));
    }

    @Test
    void readsVersion1Bytes() throws IOException {
        assertThat(deserialize(golden("pending-inference-v1-accepted.bin"))).isEqualTo(ACCEPTED);
        assertThat(deserialize(golden("pending-inference-v1-rejected.bin"))).isEqualTo(REJECTED);
    }

    @Test
    void roundTripsRecordsWithEveryOptionalFieldAbsent() throws IOException {
        PendingInference<String> bare =
                PendingInference.rejected(
                        null, null, -1, 7L, null, null, RejectionReason.SERIALIZATION_FAILED, "x");
        assertThat(deserialize(serialize(bare))).isEqualTo(bare);
    }

    @Test
    void restoresFromTheVersion1SnapshotAsCompatible() throws IOException {
        TypeSerializerSnapshot<PendingInference<String>> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                golden("pending-inference-serializer-snapshot-v1.bin")),
                        getClass().getClassLoader());

        assertThat(restored).isInstanceOf(PendingInferenceSerializer.Snapshot.class);
        TypeSerializer<PendingInference<String>> restoredSerializer = restored.restoreSerializer();
        assertThat(restoredSerializer).isEqualTo(SERIALIZER);
        TypeSerializerSchemaCompatibility<PendingInference<String>> compatibility =
                SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(restored);
        assertThat(compatibility.isCompatibleAsIs()).isTrue();
    }

    @Test
    void aChangedElementSerializerIsIncompatible() throws IOException {
        TypeSerializerSnapshot<PendingInference<String>> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                golden("pending-inference-serializer-snapshot-v1.bin")),
                        getClass().getClassLoader());
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<PendingInference<String>> ofInts =
                (TypeSerializerSnapshot)
                        new PendingInferenceSerializer<>(IntSerializer.INSTANCE)
                                .snapshotConfiguration();

        assertThat(ofInts.resolveSchemaCompatibility(restored).isIncompatible()).isTrue();
    }

    @Test
    void copiesAreEqualButDistinct() {
        PendingInference<String> copy = SERIALIZER.copy(ACCEPTED);
        assertThat(copy).isEqualTo(ACCEPTED).isNotSameAs(ACCEPTED);
    }

    private static byte[] serialize(PendingInference<String> record) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(record, out);
        return out.getCopyOfBuffer();
    }

    private static PendingInference<String> deserialize(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        PendingInference<String> record = SERIALIZER.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();
        return record;
    }

    private static byte[] golden(String name) throws IOException {
        return Golden.bytes(name);
    }
}
