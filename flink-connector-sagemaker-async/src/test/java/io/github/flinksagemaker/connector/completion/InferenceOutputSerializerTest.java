package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The InferenceOutput format, versions 1 and 2 (read error), against golden bytes that are never
 * regenerated.
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
    void theCurrentSnapshotIsVersion2() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, InferenceOutputSerializer.INSTANCE.snapshotConfiguration());
        assertThat(out.getCopyOfBuffer())
                .isEqualTo(Golden.bytes("inference-output-serializer-snapshot-v2.bin"));
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

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void restoresFromEachSnapshotVersionAsCompatible(String version) throws IOException {
        TypeSerializerSnapshot<InferenceOutput> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                Golden.bytes(
                                        "inference-output-serializer-snapshot-"
                                                + version
                                                + ".bin")),
                        getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isSameAs(InferenceOutputSerializer.INSTANCE);
        assertThat(
                        InferenceOutputSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
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
