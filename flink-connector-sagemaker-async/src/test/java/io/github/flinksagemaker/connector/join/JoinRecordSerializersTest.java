package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.completion.TaggedOutputSerializer;
import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Version 1 of the re-join's own records (claims, tagged and held objects), each against golden
 * bytes of a record and of its serializer's snapshot that are never regenerated.
 *
 * <p>One exception: the snapshot of {@link TaggedOutputSerializer} was rewritten once, when it
 * moved from package join to completion, to name its new class. A tagged object only travels
 * between the tagger and the join and is never kept in state, so no savepoint names the old class
 * (the stored savepoints under {@code savepoints/one-call-v*} name only the claimant, held-output
 * and pending-inference snapshots). The record bytes did not change.
 */
class JoinRecordSerializersTest {
    private static final InferenceOutput OBJECT =
            new InferenceOutput(
                    "s3://bucket/async/output/results/2026/11/29/14/abc.out",
                    ResultStatus.FAILURE,
                    "CUDA out of memory".getBytes(StandardCharsets.UTF_8),
                    "text/plain",
                    1_764_424_800_000L,
                    18L,
                    "\"etag-3\"");
    private static final Claimant CLAIMANT =
            new Claimant("review-17", ResultStatus.FAILURE, 1_764_425_000_000L);

    static Stream<Arguments> records() {
        return Stream.of(
                Arguments.of("claimant", ClaimantSerializer.INSTANCE, CLAIMANT),
                Arguments.of(
                        "location-claim",
                        LocationClaimSerializer.INSTANCE,
                        new LocationClaim(
                                "s3://bucket/async/failure/results/2026/11/29/14/x-error.out",
                                CLAIMANT)),
                Arguments.of(
                        "tagged-output",
                        TaggedOutputSerializer.INSTANCE,
                        new TaggedOutput("review-17", OBJECT)),
                Arguments.of(
                        "held-output",
                        HeldOutputSerializer.INSTANCE,
                        new HeldOutput(OBJECT, 1_764_425_600_000L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    <T> void writesAndReadsVersion1(String name, TypeSerializer<T> serializer, T record)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        serializer.serialize(record, out);
        assertThat(out.getCopyOfBuffer()).isEqualTo(Golden.bytes(name + "-v1.bin"));

        DataInputDeserializer in = new DataInputDeserializer(Golden.bytes(name + "-v1.bin"));
        assertThat(serializer.deserialize(in)).isEqualTo(record);
        assertThat(in.available()).as("trailing bytes").isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    <T> void restoresFromTheVersion1SnapshotAsCompatible(
            String name, TypeSerializer<T> serializer, T record) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        assertThat(out.getCopyOfBuffer())
                .isEqualTo(Golden.bytes(name + "-serializer-snapshot-v1.bin"));

        TypeSerializerSnapshot<T> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(
                                Golden.bytes(name + "-serializer-snapshot-v1.bin")),
                        getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isSameAs(serializer);
        assertThat(
                        serializer
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(restored)
                                .isCompatibleAsIs())
                .isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("records")
    <T> void aSnapshotOfAnUnknownVersionIsRefusedNamingIt(
            String name, TypeSerializer<T> serializer, T record) throws IOException {
        byte[] snapshot = Golden.bytes(name + "-serializer-snapshot-v1.bin");
        // The snapshot's version is the int after the class name.
        snapshot[snapshot.length - 1] = 9;
        assertThatThrownBy(
                        () ->
                                TypeSerializerSnapshot.readVersionedSnapshot(
                                        new DataInputDeserializer(snapshot),
                                        getClass().getClassLoader()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 9")
                .hasMessageContaining("reads versions 1 to 1");
    }
}
