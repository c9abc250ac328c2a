package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source reader with an in-memory store behind the connector's S3 interface: content limits,
 * vanished objects, asking for more work, and deleting only after a completed checkpoint.
 */
class ResultObjectSourceReaderTest {
    private static final long T0 = 1_764_064_800_000L;

    /** Reached by the serializable client factory below. */
    private static InMemoryObjectStore store;

    private static final S3Location SMALL = new S3Location("b", "out/small.out");
    private static final S3Location LARGE = new S3Location("b", "out/large.out");
    private static final S3Location GONE = new S3Location("b", "out/gone.out");

    @BeforeEach
    void resetStore() {
        store = new InMemoryObjectStore();
        store.put(SMALL, "tiny", T0);
        store.put(LARGE, "more than ten bytes", T0);
    }

    private static SourceReader<InferenceOutput, ResultObjectSplit> reader(
            TestingReaderContext context, boolean deleteConsumed) {
        return SageMakerAsyncResultSource.builder()
                .region("us-east-1")
                .outputPrefix("s3://b/out")
                .set(WatchOptions.MAX_CONTENT_BYTES, 10)
                .set(WatchOptions.DELETE_CONSUMED, deleteConsumed)
                .clientFactory(config -> store)
                .build()
                .createReader(context);
    }

    private static ResultObjectSplit split(S3Location location, long size) {
        return new ResultObjectSplit(location, ResultStatus.SUCCESS, size, T0, "\"e\"");
    }

    private static List<InferenceOutput> pollUntil(
            SourceReader<InferenceOutput, ResultObjectSplit> reader,
            TestingReaderContext context,
            int expectedRecords,
            int expectedSplitRequests)
            throws Exception {
        TestingReaderOutput<InferenceOutput> output = new TestingReaderOutput<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (output.getEmittedRecords().size() < expectedRecords
                || context.getNumSplitRequests() < expectedSplitRequests) {
            assertThat(System.nanoTime()).as("records in time").isLessThan(deadline);
            reader.pollNext(output);
            reader.isAvailable().get(100, TimeUnit.MILLISECONDS);
        }
        return output.getEmittedRecords();
    }

    @Test
    void emitsContentUpToTheLimitLocationOnlyAboveAndNothingForVanishedObjects() throws Exception {
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.start();
            assertThat(context.getNumSplitRequests()).isEqualTo(1);
            reader.addSplits(List.of(split(SMALL, 4), split(LARGE, 19), split(GONE, 3)));

            List<InferenceOutput> records = pollUntil(reader, context, 2, 2);

            assertThat(records).hasSize(2);
            InferenceOutput small = find(records, SMALL);
            assertThat(new String(small.content(), StandardCharsets.UTF_8)).isEqualTo("tiny");
            assertThat(small.contentType()).isEqualTo("text/plain");
            assertThat(small.status()).isEqualTo(ResultStatus.SUCCESS);
            InferenceOutput large = find(records, LARGE);
            assertThat(large.isContentIncluded()).isFalse();
            assertThat(large.size()).isEqualTo(19);
            assertThat(store.getRequests.get()).as("the large object is not read").isEqualTo(2);
            assertThat(reader.snapshotState(1L)).isEmpty();
            reader.notifyCheckpointComplete(1L);
            assertThat(store.deletedObjects.get()).isZero();
        }
    }

    @Test
    void deletesEmittedObjectsOnlyOnceTheirCheckpointCompletes() throws Exception {
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, true)) {
            reader.start();
            reader.addSplits(List.of(split(SMALL, 4)));
            pollUntil(reader, context, 1, 2);

            reader.snapshotState(7L);
            reader.addSplits(List.of(split(LARGE, 19)));
            pollUntil(reader, context, 1, 3);
            assertThat(store.contains(SMALL)).isTrue();

            reader.notifyCheckpointComplete(6L);
            assertThat(store.contains(SMALL)).as("checkpoint 6 does not cover it").isTrue();

            reader.notifyCheckpointComplete(7L);
            assertThat(store.contains(SMALL)).isFalse();
            assertThat(store.contains(LARGE))
                    .as("emitted after checkpoint 7: waits for the next one")
                    .isTrue();

            reader.snapshotState(8L);
            reader.notifyCheckpointComplete(8L);
            assertThat(store.contains(LARGE)).isFalse();
            assertThat(store.deletedObjects.get()).isEqualTo(2);
        }
    }

    private static InferenceOutput find(List<InferenceOutput> records, S3Location location) {
        return records.stream()
                .filter(r -> r.location().equals(location.toString()))
                .findFirst()
                .orElseThrow();
    }
}
