package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Version 1 of the InferenceResult format, against golden bytes that are never regenerated. */
class InferenceResultSerializerTest {
    private static final InferenceResultSerializer<String> SERIALIZER =
            new InferenceResultSerializer<>(StringSerializer.INSTANCE);

    static final InferenceResult<String> SUCCESS =
            new InferenceResult<>(
                    InferenceStatus.SUCCESS,
                    "inference-1",
                    "element-1",
                    SubmitPath.INLINE,
                    "{\"label\":\"POSITIVE\"}".getBytes(StandardCharsets.UTF_8),
                    "application/json",
                    "s3://bucket/out/1.out",
                    null,
                    1_764_000_000_000L,
                    1_764_000_004_000L);
    static final InferenceResult<String> REJECTED =
            new InferenceResult<>(
                    InferenceStatus.REJECTED,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "SERIALIZATION_FAILED: Request serializer failed: boom",
                    1_764_000_000_000L,
                    1_764_000_000_000L);

    @Test
    void writesAndReadsVersion1() throws IOException {
        assertThat(serialize(SUCCESS)).isEqualTo(Golden.bytes("inference-result-v1-success.bin"));
        assertThat(serialize(REJECTED)).isEqualTo(Golden.bytes("inference-result-v1-rejected.bin"));
        assertThat(deserialize(Golden.bytes("inference-result-v1-success.bin"))).isEqualTo(SUCCESS);
        assertThat(deserialize(Golden.bytes("inference-result-v1-rejected.bin")))
                .isEqualTo(REJECTED);
    }

    @Test
    void restoresFromTheVersion1SnapshotAsCompatible() throws IOException {
        TypeSerializerSnapshot<InferenceResult<String>> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                Golden.bytes("inference-result-serializer-snapshot-v1.bin")),
                        getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(SERIALIZER);
        assertThat(
                        SERIALIZER
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
    }

    private static byte[] serialize(InferenceResult<String> result) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(result, out);
        return out.getCopyOfBuffer();
    }

    private static InferenceResult<String> deserialize(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        InferenceResult<String> result = SERIALIZER.deserialize(in);
        assertThat(in.available()).as("trailing bytes").isZero();
        return result;
    }
}
