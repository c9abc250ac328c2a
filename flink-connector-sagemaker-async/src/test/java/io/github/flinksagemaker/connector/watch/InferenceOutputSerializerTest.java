package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Version 1 of the InferenceOutput format, against golden bytes that are never regenerated. */
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

    @Test
    void writesAndReadsVersion1() throws IOException {
        assertThat(serialize(WITH_CONTENT)).isEqualTo(Golden.bytes("inference-output-v1.bin"));
        assertThat(serialize(LOCATION_ONLY))
                .isEqualTo(Golden.bytes("inference-output-v1-location-only.bin"));
        assertThat(deserialize(Golden.bytes("inference-output-v1.bin"))).isEqualTo(WITH_CONTENT);
        assertThat(deserialize(Golden.bytes("inference-output-v1-location-only.bin")))
                .isEqualTo(LOCATION_ONLY);
    }

    @Test
    void restoresFromTheVersion1SnapshotAsCompatible() throws IOException {
        TypeSerializerSnapshot<InferenceOutput> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                Golden.bytes("inference-output-serializer-snapshot-v1.bin")),
                        getClass().getClassLoader());
        assertThat(restored.getCurrentVersion()).isEqualTo(1);
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
