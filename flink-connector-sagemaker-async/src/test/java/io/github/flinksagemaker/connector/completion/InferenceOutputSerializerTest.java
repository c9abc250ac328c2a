package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The InferenceOutput format, versions 1 and 2 (read error), against golden bytes that are never
 * regenerated; and its snapshot under both the class name it has now and the one in package watch
 * that savepoints from before the move name.
 */
class InferenceOutputSerializerTest {
    static final InferenceOutput WITH_CONTENT =
            new InferenceOutput(
                    "s3://bucket/async/output/abc.out",
                    ResultStatus.SUCCESS,
                    "{\"label\":\"POSITIVE\"}".getBytes(StandardCharsets.UTF_8),
                    "application/json",
                    1_764_064_800_000L,
                    20L,
                    "\"etag-1\"");
    static final InferenceOutput LOCATION_ONLY =
            new InferenceOutput(
                    "s3://bucket/async/failure/big-error.out",
                    ResultStatus.FAILURE,
                    null,
                    null,
                    1_764_064_801_000L,
                    50_000_000L,
                    null);

    static final InferenceOutput UNREADABLE =
            InferenceOutput.unreadable(
                    "s3://bucket/async/output/kms.out",
                    ResultStatus.SUCCESS,
                    1_764_064_802_000L,
                    77L,
                    "\"etag-2\"",
                    "AccessDenied (403): The ciphertext refers to a customer master key that"
                            + " does not exist");

    @Test
    void writesVersion2AndReadsItsUnreadableObjects() throws IOException {
        assertThat(serialize(UNREADABLE))
                .isEqualTo(Golden.bytes("inference-output-v2-unreadable.bin"));
        assertThat(deserialize(Golden.bytes("inference-output-v2-unreadable.bin")))
                .isEqualTo(UNREADABLE);
    }

    @Test
    void theCurrentSnapshotIsVersion2UnderItsNameInCompletion() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, InferenceOutputSerializer.INSTANCE.snapshotConfiguration());
        // Written from the class name and version alone (not by this serializer) when the
        // serializer moved to completion; never regenerated.
        assertThat(out.getCopyOfBuffer())
                .isEqualTo(Golden.bytes("inference-output-serializer-snapshot-v2-completion.bin"));
    }

    @Test
    void writesAndReadsVersion1() throws IOException {
        assertThat(serialize(WITH_CONTENT)).isEqualTo(Golden.bytes("inference-output-v1.bin"));
        assertThat(serialize(LOCATION_ONLY))
                .isEqualTo(Golden.bytes("inference-output-v1-location-only.bin"));
        assertThat(deserialize(Golden.bytes("inference-output-v1.bin"))).isEqualTo(WITH_CONTENT);
        assertThat(deserialize(Golden.bytes("inference-output-v1-location-only.bin")))
                .isEqualTo(LOCATION_ONLY);
    }

    static Stream<Arguments> recordsOfEachVersion() {
        return Stream.of(
                Arguments.of("v1", "inference-output-v1.bin", WITH_CONTENT),
                Arguments.of("v1", "inference-output-v1-location-only.bin", LOCATION_ONLY),
                Arguments.of("v2", "inference-output-v2-unreadable.bin", UNREADABLE));
    }

    /**
     * The golden snapshots of versions 1 and 2 name the class in package watch, where the
     * serializer lived when they were written, as savepoints of that time do.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("recordsOfEachVersion")
    @SuppressWarnings("deprecation")
    void restoresASnapshotNamingTheFormerPackageAsCompatibleAndReadsItsRecords(
            String version, String recordFile, InferenceOutput record) throws IOException {
        TypeSerializerSnapshot<InferenceOutput> restored =
                readSnapshot(
                        Golden.bytes("inference-output-serializer-snapshot-" + version + ".bin"));
        assertThat(restored)
                .isInstanceOf(
                        io.github.flinksagemaker.connector.watch.InferenceOutputSerializer.Snapshot
                                .class);
        assertThat(restored.restoreSerializer()).isSameAs(InferenceOutputSerializer.INSTANCE);
        assertThat(
                        InferenceOutputSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();

        DataInputDeserializer in = new DataInputDeserializer(Golden.bytes(recordFile));
        assertThat(restored.restoreSerializer().deserialize(in)).isEqualTo(record);
        assertThat(in.available()).as("trailing bytes").isZero();
    }

    @Test
    void restoresItsCurrentSnapshotAsCompatible() throws IOException {
        TypeSerializerSnapshot<InferenceOutput> restored =
                readSnapshot(
                        Golden.bytes("inference-output-serializer-snapshot-v2-completion.bin"));
        assertThat(restored).isInstanceOf(InferenceOutputSerializer.Snapshot.class);
        assertThat(restored.restoreSerializer()).isSameAs(InferenceOutputSerializer.INSTANCE);
        assertThat(
                        InferenceOutputSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
    }

    @Test
    @SuppressWarnings("deprecation")
    void theSnapshotKeptAtTheFormerNameAcceptsTheCurrentOneToo() {
        assertThat(
                        new io.github.flinksagemaker.connector.watch.InferenceOutputSerializer
                                        .Snapshot()
                                .resolveSchemaCompatibility(
                                        InferenceOutputSerializer.INSTANCE.snapshotConfiguration())
                                .isCompatibleAsIs())
                .isTrue();
    }

    @Test
    @SuppressWarnings({"deprecation", "unchecked", "rawtypes"})
    void aSnapshotOfAnotherSerializerStaysIncompatible() {
        TypeSerializerSnapshot<InferenceOutput> other =
                (TypeSerializerSnapshot) TaggedOutputSerializer.INSTANCE.snapshotConfiguration();
        assertThat(
                        InferenceOutputSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(other)
                                .isIncompatible())
                .isTrue();
        assertThat(
                        new io.github.flinksagemaker.connector.watch.InferenceOutputSerializer
                                        .Snapshot()
                                .resolveSchemaCompatibility(other)
                                .isIncompatible())
                .isTrue();
    }

    @Test
    void aSnapshotNamingTheFormerPackageInAnUnknownVersionIsRefusedNamingIt() throws IOException {
        byte[] snapshot = Golden.bytes("inference-output-serializer-snapshot-v2.bin");
        // The snapshot's version is the int after the class name.
        snapshot[snapshot.length - 1] = 3;
        assertThatThrownBy(() -> readSnapshot(snapshot))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("watch.InferenceOutputSerializer$Snapshot")
                .hasMessageContaining("version 3")
                .hasMessageContaining("reads versions 1 to 2");
    }

    private static TypeSerializerSnapshot<InferenceOutput> readSnapshot(byte[] bytes)
            throws IOException {
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(bytes),
                InferenceOutputSerializerTest.class.getClassLoader());
    }

    private static byte[] serialize(InferenceOutput output) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        InferenceOutputSerializer.INSTANCE.serialize(output, out);
        return out.getCopyOfBuffer();
    }

    private static InferenceOutput deserialize(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        InferenceOutput output = InferenceOutputSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();
        return output;
    }
}
