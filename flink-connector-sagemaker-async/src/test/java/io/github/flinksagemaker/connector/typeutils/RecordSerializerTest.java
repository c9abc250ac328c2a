package io.github.flinksagemaker.connector.typeutils;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.InferenceOutputSerializer;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceSerializer;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Heap snapshots write records to an unbuffered stream: each must reach it in one write, with the
 * very bytes a buffer gets, a record within a record included.
 */
class RecordSerializerTest {

    /** Counts the calls that reach it, as a checkpoint stream would see them. */
    private static final class CountingStream extends ByteArrayOutputStream {
        int writes;

        @Override
        public synchronized void write(int b) {
            writes++;
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes++;
            super.write(b, off, len);
        }
    }

    private static <E> PendingInference<E> pending(E element) {
        String id = UUID.randomUUID().toString();
        return PendingInference.accepted(
                id,
                "s3://bucket/output/" + id + ".out",
                "s3://bucket/failure/" + id + "-error.out",
                SubmitPath.INLINE,
                1_024,
                1_000L,
                2_000L,
                null,
                element);
    }

    private static <T> byte[] buffered(TypeSerializer<T> serializer, T record) throws IOException {
        DataOutputSerializer buffer = new DataOutputSerializer(64);
        serializer.serialize(record, buffer);
        return buffer.getCopyOfBuffer();
    }

    private static <T> void assertOneWriteOfTheSameBytes(TypeSerializer<T> serializer, T record)
            throws IOException {
        CountingStream stream = new CountingStream();
        serializer.serialize(record, new DataOutputViewStreamWrapper(stream));
        assertThat(stream.writes).as("calls reaching the stream").isEqualTo(1);
        assertThat(stream.toByteArray()).isEqualTo(buffered(serializer, record));
        assertThat(serializer.deserialize(new DataInputDeserializer(stream.toByteArray())))
                .isEqualTo(record);
    }

    @Test
    void aPendingRecordReachesAnUnbufferedStreamInOneWrite() throws IOException {
        assertOneWriteOfTheSameBytes(
                new PendingInferenceSerializer<>(StringSerializer.INSTANCE),
                pending("an element of the user's"));
    }

    @Test
    void aRecordWithinARecordReachesTheStreamInTheOuterOnesWrite() throws IOException {
        InferenceOutput output =
                new InferenceOutput(
                        "s3://bucket/output/x.out",
                        ResultStatus.SUCCESS,
                        "{\"label\":\"POSITIVE\"}".getBytes(StandardCharsets.UTF_8),
                        "application/json",
                        3_000L,
                        20,
                        null);
        assertOneWriteOfTheSameBytes(
                new PendingInferenceSerializer<>(InferenceOutputSerializer.INSTANCE),
                pending(output));
    }

    @Test
    void aLargeRecordReachesTheStreamInChunksAndTheNextOneInOneWrite() throws IOException {
        PendingInferenceSerializer<String> serializer =
                new PendingInferenceSerializer<>(StringSerializer.INSTANCE);
        PendingInference<String> large = pending("x".repeat(300_000));
        CountingStream stream = new CountingStream();
        serializer.serialize(large, new DataOutputViewStreamWrapper(stream));

        byte[] expected = buffered(serializer, large);
        assertThat(stream.toByteArray()).isEqualTo(expected);
        assertThat(stream.writes)
                .as("16 KB chunks of a %d-byte record", expected.length)
                .isBetween(2, expected.length / (16 * 1024) + 1);
        assertOneWriteOfTheSameBytes(serializer, pending("small"));
    }

    /** Discards what it is given and counts it. */
    private static final class DiscardingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    /**
     * A result object held in state may carry up to 10 MB of content (a held output): it passes to
     * the stream as it is, not copied into a buffer grown to its size at every checkpoint.
     */
    @Test
    void largeContentGoesStraightThroughWithoutBeingCopied() throws IOException {
        byte[] content = new byte[10 * 1024 * 1024];
        InferenceOutput output =
                new InferenceOutput(
                        "s3://bucket/output/x.out",
                        ResultStatus.SUCCESS,
                        content,
                        "application/octet-stream",
                        3_000L,
                        content.length,
                        null);
        InferenceOutputSerializer serializer = InferenceOutputSerializer.INSTANCE;
        DiscardingStream stream = new DiscardingStream();
        DataOutputViewStreamWrapper target = new DataOutputViewStreamWrapper(stream);
        serializer.serialize(output, target); // the thread's buffer exists from here on

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10; i++) {
            serializer.serialize(output, target);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

        assertThat(stream.bytes).isEqualTo(11L * buffered(serializer, output).length);
        assertThat(allocated)
                .as("bytes allocated writing 10 records of 10 MB content each")
                .isLessThan(content.length);
    }
}
