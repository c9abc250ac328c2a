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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Compatibility of {@link PendingInferenceSerializer}: the golden files under {@code
 * src/test/resources/golden} were written once by versions 1 and 2 and are never regenerated. If a
 * test here fails, the format changed: keep a reader for every earlier version and add new golden
 * files.
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

    /** As the service names things: a UUID ID, and UUIDs and shared prefixes in locations. */
    static final PendingInference<String> ACCEPTED_WITH_UUIDS =
            PendingInference.accepted(
                    "5eed0000-0000-002a-7b79-7f5a2a3a2e5b",
                    "s3://my-bucket/async/output/2026/11/25/13/c8a3b5d2-33cc-4b1e-9d0f-6a1e2f3b4c5d.out",
                    "s3://my-bucket/async/failure/2026/11/25/13/c8a3b5d2-33cc-4b1e-9d0f-6a1e2f3b4c5d-error.out",
                    SubmitPath.INLINE,
                    1_024,
                    1_795_000_000_000L,
                    1_795_022_800_000L,
                    null,
                    "element-3");

    @Test
    void writesVersion2Bytes() throws IOException {
        assertThat(serialize(ACCEPTED)).isEqualTo(golden("pending-inference-v2-accepted.bin"));
        assertThat(serialize(REJECTED)).isEqualTo(golden("pending-inference-v2-rejected.bin"));
        assertThat(serialize(ACCEPTED_WITH_UUIDS))
                .isEqualTo(golden("pending-inference-v2-uuids.bin"));
    }

    @Test
    void readsVersion1Bytes() throws IOException {
        assertThat(deserialize(golden("pending-inference-v1-accepted.bin"))).isEqualTo(ACCEPTED);
        assertThat(deserialize(golden("pending-inference-v1-rejected.bin"))).isEqualTo(REJECTED);
    }

    @Test
    void readsVersion2Bytes() throws IOException {
        assertThat(deserialize(golden("pending-inference-v2-accepted.bin"))).isEqualTo(ACCEPTED);
        assertThat(deserialize(golden("pending-inference-v2-rejected.bin"))).isEqualTo(REJECTED);
        assertThat(deserialize(golden("pending-inference-v2-uuids.bin")))
                .isEqualTo(ACCEPTED_WITH_UUIDS);
    }

    /** Its payload was uploaded, then it was rejected: an input location and no output. */
    @Test
    void roundTripsARejectionWithAnInputLocation() throws IOException {
        PendingInference<String> rejected =
                PendingInference.rejected(
                        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                        SubmitPath.S3,
                        200_000,
                        5L,
                        "s3://bucket/input/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                        "element",
                        RejectionReason.VALIDATION_ERROR,
                        "ValidationError");
        assertThat(deserialize(serialize(rejected))).isEqualTo(rejected);
    }

    @Test
    void aSnapshotOfANewerFormatIsRefusedNotMisread() throws IOException {
        byte[] snapshot = golden("pending-inference-serializer-snapshot-v2.bin");
        DataOutputSerializer v3 = new DataOutputSerializer(snapshot.length);
        v3.write(snapshot);
        byte[] bytes = v3.getCopyOfBuffer();
        int outerVersion = indexOfOuterVersion(bytes);
        bytes[outerVersion] = 3;

        assertThatThrownBy(
                        () ->
                                TypeSerializerSnapshot.readVersionedSnapshot(
                                        new DataInputDeserializer(bytes),
                                        getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 3")
                .hasMessageContaining("newer version of the connector");
    }

    /** The outer snapshot version is the last int before the nested serializers' snapshots. */
    private static int indexOfOuterVersion(byte[] snapshot) {
        // CompositeTypeSerializerSnapshot writes its outer version as an int after the class name
        // and the snapshot's own version: find the int 2 that follows "Snapshot".
        String text = new String(snapshot, java.nio.charset.StandardCharsets.ISO_8859_1);
        int afterName = text.indexOf("Snapshot") + "Snapshot".length();
        for (int i = afterName; i + 4 <= snapshot.length; i++) {
            if (snapshot[i] == 0
                    && snapshot[i + 1] == 0
                    && snapshot[i + 2] == 0
                    && snapshot[i + 3] == 2) {
                return i + 3;
            }
        }
        throw new AssertionError("no outer version 2 in the snapshot");
    }

    @ParameterizedTest
    @MethodSource("awkwardLocations")
    void roundTripsAwkwardLocationsExactly(String output, String failure, String input)
            throws IOException {
        PendingInference<String> record =
                PendingInference.accepted(
                        "A1B2C3D4-0000-0000-0000-000000000000",
                        output,
                        failure,
                        SubmitPath.S3,
                        7,
                        1L,
                        2L,
                        input,
                        null);
        assertThat(deserialize(serialize(record))).isEqualTo(record);
    }

    static Stream<Arguments> awkwardLocations() {
        String uuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        return Stream.of(
                Arguments.of("", "", ""),
                Arguments.of("s3://b/o/" + uuid, "s3://b/o/" + uuid, "s3://b/o/" + uuid),
                Arguments.of("s3://b/out/x", "s3://b/o", "s3://b/out/x/longer"),
                Arguments.of(uuid + uuid + "." + uuid, uuid.substring(1), uuid.toUpperCase()),
                Arguments.of("s3://b/\uD83D\uDE00a", "s3://b/\uD83D\uDE01b", "s3://b/\uD83D"),
                Arguments.of("s3://b/" + uuid.replace('-', '_'), "s3://b/é" + uuid, null));
    }

    @Test
    void roundTripsRecordsWithEveryOptionalFieldAbsent() throws IOException {
        PendingInference<String> bare =
                PendingInference.rejected(
                        null, null, -1, 7L, null, null, RejectionReason.SERIALIZATION_FAILED, "x");
        assertThat(deserialize(serialize(bare))).isEqualTo(bare);
    }

    @Test
    void theCurrentSnapshotIsVersion2() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
        assertThat(out.getCopyOfBuffer())
                .isEqualTo(golden("pending-inference-serializer-snapshot-v2.bin"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void restoresFromEachSnapshotVersionAsCompatible(String version) throws IOException {
        TypeSerializerSnapshot<PendingInference<String>> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                golden(
                                        "pending-inference-serializer-snapshot-"
                                                + version
                                                + ".bin")),
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
