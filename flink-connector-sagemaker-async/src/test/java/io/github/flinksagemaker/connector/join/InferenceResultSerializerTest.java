package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The InferenceResult format, versions 1 and 2, against golden bytes that are never regenerated.
 */
class InferenceResultSerializerTest {
    private static final InferenceResultSerializer<String> SERIALIZER =
            new InferenceResultSerializer<>(StringSerializer.INSTANCE);

    /** Version 1 carried neither the input location nor whether the content was included. */
    static final InferenceResult<String> SUCCESS_V1 =
            new InferenceResult<>(
                    InferenceStatus.SUCCESS,
                    "inference-1",
                    "element-1",
                    SubmitPath.INLINE,
                    "{\"label\":\"POSITIVE\"}".getBytes(StandardCharsets.UTF_8),
                    "application/json",
                    "s3://bucket/out/1.out",
                    null,
                    null,
                    true,
                    1_764_000_000_000L,
                    1_764_000_004_000L);

    static final InferenceResult<String> REJECTED_V1 =
            new InferenceResult<>(
                    InferenceStatus.REJECTED,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "SERIALIZATION_FAILED: Request serializer failed: boom",
                    null,
                    false,
                    1_764_000_000_000L,
                    1_764_000_000_000L);
    static final InferenceResult<String> SUCCESS_V2 =
            new InferenceResult<>(
                    InferenceStatus.SUCCESS,
                    "inference-2",
                    "element-2",
                    SubmitPath.S3,
                    null,
                    null,
                    "s3://bucket/out/2.out",
                    null,
                    "s3://bucket/in/inference-2",
                    false,
                    1_764_000_000_000L,
                    1_764_000_009_000L);
    static final InferenceResult<String> UNREADABLE_V2 =
            new InferenceResult<>(
                    InferenceStatus.UNREADABLE,
                    "inference-3",
                    "element-3",
                    SubmitPath.INLINE,
                    null,
                    null,
                    "s3://bucket/out/3.out",
                    "The output object at s3://bucket/out/3.out exists but could not be read:"
                            + " AccessDenied (403): denied",
                    null,
                    false,
                    1_764_000_000_000L,
                    1_764_000_002_000L);

    @Test
    void readsVersion1() throws IOException {
        assertThat(deserialize(Golden.bytes("inference-result-v1-success.bin")))
                .isEqualTo(SUCCESS_V1);
        assertThat(deserialize(Golden.bytes("inference-result-v1-rejected.bin")))
                .isEqualTo(REJECTED_V1);
    }

    @Test
    void writesAndReadsVersion2() throws IOException {
        assertThat(serialize(SUCCESS_V2))
                .isEqualTo(Golden.bytes("inference-result-v2-success.bin"));
        assertThat(serialize(UNREADABLE_V2))
                .isEqualTo(Golden.bytes("inference-result-v2-unreadable.bin"));
        assertThat(deserialize(Golden.bytes("inference-result-v2-success.bin")))
                .isEqualTo(SUCCESS_V2);
        assertThat(deserialize(Golden.bytes("inference-result-v2-unreadable.bin")))
                .isEqualTo(UNREADABLE_V2);
        assertThat(deserialize(serialize(SUCCESS_V1))).isEqualTo(SUCCESS_V1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void restoresFromEachSnapshotVersionAsCompatible(String version) throws IOException {
        TypeSerializerSnapshot<InferenceResult<String>> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                Golden.bytes(
                                        "inference-result-serializer-snapshot-"
                                                + version
                                                + ".bin")),
                        getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(SERIALIZER);
        assertThat(
                        SERIALIZER
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
    }

    @Test
    void theCurrentSnapshotIsVersion2() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
        assertThat(out.getCopyOfBuffer())
                .isEqualTo(Golden.bytes("inference-result-serializer-snapshot-v2.bin"));
    }

    @Test
    void anUnknownStatusIsAnErrorNamingTheType() {
        byte[] bytes = Golden.bytesUnchecked("inference-result-v2-success.bin");
        bytes[0] = 42;
        assertThatThrownBy(() -> deserialize(bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("InferenceStatus")
                .hasMessageContaining("42");
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
