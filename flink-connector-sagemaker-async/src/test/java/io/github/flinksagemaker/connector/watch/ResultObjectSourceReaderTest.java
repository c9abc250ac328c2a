package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.S3Errors;
import io.github.flinksagemaker.connector.watch.reader.ResultObjectSourceReader;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        storesCreated.set(0);
        store = new InMemoryObjectStore();
        store.put(SMALL, "tiny", T0);
        store.put(LARGE, "more than ten bytes", T0);
    }

    /** How many S3 stores the source created. */
    private static final AtomicInteger storesCreated = new AtomicInteger();

    private static SourceReader<InferenceOutput, ResultObjectSplit> reader(
            TestingReaderContext context, boolean deleteConsumed) {
        return reader(context, deleteConsumed, MemorySize.ofMebiBytes(32));
    }

    private static SourceReader<InferenceOutput, ResultObjectSplit> reader(
            TestingReaderContext context, boolean deleteConsumed, MemorySize budget) {
        return SageMakerAsyncResultSource.builder()
                .region("us-east-1")
                .outputPath("s3://b/out")
                .set(WatchOptions.MAX_CONTENT_BYTES, new MemorySize(10))
                .set(WatchOptions.MAX_BUFFERED_BYTES, budget)
                .set(WatchOptions.DELETE_CONSUMED, deleteConsumed)
                .clientFactory(
                        config -> {
                            storesCreated.incrementAndGet();
                            return store;
                        })
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
        return pollUntil(
                reader,
                context,
                expectedRecords,
                expectedSplitRequests,
                new TestingReaderOutput<>());
    }

    private static List<InferenceOutput> pollUntil(
            SourceReader<InferenceOutput, ResultObjectSplit> reader,
            TestingReaderContext context,
            int expectedRecords,
            int expectedSplitRequests,
            TestingReaderOutput<InferenceOutput> output)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (output.getEmittedRecords().size() < expectedRecords
                || context.getNumSplitRequests() < expectedSplitRequests) {
            assertThat(System.nanoTime()).as("records in time").isLessThan(deadline);
            reader.pollNext(output);
            awaitAvailable(reader, 100);
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

    /**
     * A rewritten key is discovered again while its first copy may still wait in a reader: each
     * copy is its own split, survives a checkpoint and is emitted.
     */
    @Test
    void twoCopiesOfOneKeyInOneReaderAreCheckpointedAndEmittedBoth() throws Exception {
        TestingReaderContext context = new TestingReaderContext();
        ResultObjectSplit first =
                new ResultObjectSplit(SMALL, ResultStatus.SUCCESS, 4, T0, "\"1\"");
        ResultObjectSplit rewritten =
                new ResultObjectSplit(SMALL, ResultStatus.SUCCESS, 4, T0 + 1_000, "\"2\"");
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.addSplits(List.of(first, rewritten));
            assertThat(reader.snapshotState(1L))
                    .as("a checkpoint before they are read keeps both copies")
                    .containsExactlyInAnyOrder(first, rewritten);

            reader.start();
            List<InferenceOutput> records = pollUntil(reader, context, 2, 1);

            assertThat(records)
                    .extracting(InferenceOutput::lastModifiedMillis)
                    .containsExactlyInAnyOrder(T0, T0 + 1_000);
            assertThat(reader.snapshotState(2L)).as("both copies finished").isEmpty();
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

    /**
     * After NoMoreResultsEvent the enumerator tells each reader there will be no more splits: the
     * reader still emits every object it holds, also one whose read is retried, and ends only then;
     * consumed objects are deleted after the (final) checkpoint, as always.
     */
    @Test
    void toldNoMoreSplitsTheReaderEmitsTheObjectsItHoldsThenEnds() throws Exception {
        store.failReads(SMALL, S3Errors.of(503, "SlowDown"));
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, true)) {
            reader.start();
            reader.addSplits(List.of(split(SMALL, 4), split(LARGE, 19)));
            reader.notifyNoMoreSplits();
            TestingReaderOutput<InferenceOutput> output = new TestingReaderOutput<>();
            long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
            while (System.nanoTime() < until) {
                assertThat(reader.pollNext(output))
                        .as("not while an object is unread")
                        .isNotEqualTo(InputStatus.END_OF_INPUT);
                awaitAvailable(reader, 50);
            }
            assertThat(output.getEmittedRecords()).hasSize(1);

            store.failReads(SMALL, null);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (reader.pollNext(output) != InputStatus.END_OF_INPUT) {
                assertThat(System.nanoTime()).as("ends in time").isLessThan(deadline);
                awaitAvailable(reader, 50);
            }

            assertThat(output.getEmittedRecords())
                    .extracting(InferenceOutput::location)
                    .containsExactlyInAnyOrder(SMALL.toString(), LARGE.toString());
            assertThat(store.contains(SMALL)).as("not before the checkpoint").isTrue();
            assertThat(reader.snapshotState(1L)).isEmpty();
            reader.notifyCheckpointComplete(1L);
            assertThat(store.deletedObjects.get()).isEqualTo(2);
        }
    }

    @Test
    void aCheckpointAfterAnEmittedObjectLeavesItsSplitOut() throws Exception {
        S3Location third = new S3Location("b", "out/third.out");
        store.put(third, "3", T0);
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.start();
            reader.addSplits(List.of(split(SMALL, 4), split(third, 1), split(GONE, 3)));
            TestingReaderOutput<InferenceOutput> output = new TestingReaderOutput<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (output.getEmittedRecords().isEmpty()) {
                assertThat(System.nanoTime()).as("a record in time").isLessThan(deadline);
                reader.pollNext(output);
                awaitAvailable(reader, 100);
            }

            List<ResultObjectSplit> checkpointed = reader.snapshotState(1L);

            assertThat(output.getEmittedRecords()).hasSize(1);
            assertThat(checkpointed)
                    .as("the emitted object's split is not checkpointed: a restore would emit it")
                    .hasSize(2)
                    .extracting(ResultObjectSplit::location)
                    .doesNotContain(
                            S3Location.parse(output.getEmittedRecords().get(0).location(), "x"));
        }
    }

    @Test
    void anObjectThatCannotBeReadIsEmittedAsUnreadableAndTheRestGoesOn() throws Exception {
        S3Location denied = new S3Location("b", "out/kms.out");
        store.put(denied, "secret", T0);
        store.failReads(denied, S3Errors.of(403, "AccessDenied"));
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.start();
            reader.addSplits(List.of(split(denied, 6), split(SMALL, 4)));

            List<InferenceOutput> records = pollUntil(reader, context, 2, 2);

            InferenceOutput unreadable = find(records, denied);
            assertThat(unreadable.isReadable()).isFalse();
            assertThat(unreadable.isContentIncluded()).isFalse();
            assertThat(unreadable.readError()).contains("AccessDenied");
            assertThat(find(records, SMALL).content()).isNotNull();
            assertThat(reader.snapshotState(1L)).as("nothing left to read again").isEmpty();
        }
    }

    @Test
    void aThrottledReadIsRetriedUntilItSucceeds() throws Exception {
        store.failReads(SMALL, S3Errors.of(503, "SlowDown"));
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.start();
            reader.addSplits(List.of(split(SMALL, 4)));
            TestingReaderOutput<InferenceOutput> output = new TestingReaderOutput<>();
            long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < until) {
                reader.pollNext(output);
                awaitAvailable(reader, 50);
            }
            assertThat(output.getEmittedRecords()).as("nothing while S3 slows us down").isEmpty();
            assertThat(store.getRequests.get()).as("retried with backoff").isBetween(2, 5);
            assertThat(reader.snapshotState(1L)).as("still to be read").hasSize(1);

            store.failReads(SMALL, null);
            List<InferenceOutput> records = pollUntil(reader, context, 1, 2, output);
            assertThat(new String(records.get(0).content(), StandardCharsets.UTF_8))
                    .isEqualTo("tiny");
        }
    }

    @Test
    void wrongCredentialsFailTheReaderWithAFatalErrorNamingThem() throws Exception {
        store.failReads(SMALL, S3Errors.of(403, "InvalidAccessKeyId"));
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.start();
            reader.addSplits(List.of(split(SMALL, 4)));
            assertThatThrownBy(() -> pollUntil(reader, context, 1, 2))
                    .hasRootCauseInstanceOf(FatalAwsException.class)
                    .rootCause()
                    .hasMessageContaining("InvalidAccessKeyId")
                    .hasMessageContaining("credentials");
        }
    }

    @Test
    void oneS3StoreServesTheReaderWhateverSplitReadersComeAndGo() throws Exception {
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader = reader(context, false)) {
            reader.start();
            TestingReaderOutput<InferenceOutput> output = new TestingReaderOutput<>();
            for (int round = 1; round <= 5; round++) {
                S3Location location = new S3Location("b", "out/round-" + round + ".out");
                store.put(location, "r" + round, T0);
                reader.addSplits(List.of(split(location, 2)));
                pollUntil(reader, context, round, round + 1, output);
                // Idle: the fetcher (and its split reader) is shut down before the next round.
                reader.pollNext(output);
            }
            assertThat(output.getEmittedRecords()).hasSize(5);
            assertThat(storesCreated.get()).as("one store for the reader's life").isEqualTo(1);
        }
    }

    @Test
    void aByteBudgetSmallerThanOneObjectStillReadsEverything() throws Exception {
        S3Location third = new S3Location("b", "out/third.out");
        store.put(third, "333", T0);
        TestingReaderContext context = new TestingReaderContext();
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader =
                reader(context, false, MemorySize.parse("2b"))) {
            reader.start();
            reader.addSplits(List.of(split(SMALL, 4), split(third, 3)));
            assertThat(pollUntil(reader, context, 2, 2)).hasSize(2);
        }
    }

    /** Waits up to {@code millis} for the reader to have something; fine if it has not. */
    @Test
    void asksForMoreObjectsAtHalfItsBatchAndOnceUntilAnswered() throws Exception {
        List<S3Location> objects = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            objects.add(new S3Location("b", "out/object-" + i + ".out"));
            store.put(objects.get(i), "r" + i, T0);
        }
        List<Integer> assignedAtRequests = new CopyOnWriteArrayList<>();
        AtomicReference<SourceReader<InferenceOutput, ResultObjectSplit>> current =
                new AtomicReference<>();
        TestingReaderContext context =
                new TestingReaderContext() {
                    @Override
                    public void sendSplitRequest() {
                        super.sendSplitRequest();
                        assignedAtRequests.add(
                                ((ResultObjectSourceReader<?>) current.get())
                                        .getNumberOfCurrentlyAssignedSplits());
                    }
                };
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader =
                SageMakerAsyncResultSource.builder()
                        .region("us-east-1")
                        .outputPath("s3://b/out")
                        .set(WatchOptions.SPLITS_PER_REQUEST, 8)
                        // One object at a time, so that splits finish one by one.
                        .set(WatchOptions.FETCH_CONCURRENCY, 1)
                        .clientFactory(config -> store)
                        .build()
                        .createReader(context)) {
            current.set(reader);
            reader.start();
            reader.addSplits(objects.stream().map(o -> split(o, 2)).toList());

            assertThat(pollUntil(reader, context, 8, 2)).hasSize(8);
            assertThat(assignedAtRequests)
                    .as("assigned splits at each request: none at start, then half a batch")
                    .hasSize(2)
                    .first()
                    .isEqualTo(0);
            assertThat(assignedAtRequests.get(1)).as("asked before running dry").isBetween(1, 4);
        }
    }

    /**
     * The task's configuration reaches the reader: with an element queue of {@code capacity}
     * batches that nobody takes from, the fetcher reads that many objects (one a batch, one at a
     * time), reads one more and waits to hand it over.
     */
    @ParameterizedTest(name = "queue capacity {0}")
    @ValueSource(ints = {1, 3})
    void theElementQueueCapacityComesFromTheTaskConfiguration(int capacity) throws Exception {
        List<S3Location> objects = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            objects.add(new S3Location("b", "out/queued-" + i + ".out"));
            store.put(objects.get(i), "q" + i, T0);
        }
        TestingReaderContext context =
                new TestingReaderContext(
                        new Configuration()
                                .set(SourceReaderOptions.ELEMENT_QUEUE_CAPACITY, capacity),
                        UnregisteredMetricsGroup.createSourceReaderMetricGroup());
        try (SourceReader<InferenceOutput, ResultObjectSplit> reader =
                SageMakerAsyncResultSource.builder()
                        .region("us-east-1")
                        .outputPath("s3://b/out")
                        .set(WatchOptions.FETCH_CONCURRENCY, 1)
                        .set(WatchOptions.SPLITS_PER_REQUEST, 8)
                        .clientFactory(config -> store)
                        .build()
                        .createReader(context)) {
            reader.start();
            reader.addSplits(objects.stream().map(o -> split(o, 2)).toList());

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (store.getRequests.get() < capacity + 1) {
                assertThat(System.nanoTime()).as("reads in time").isLessThan(deadline);
                Thread.sleep(10);
            }
            Thread.sleep(300);
            assertThat(store.getRequests)
                    .as("a full queue holds the fetcher back")
                    .hasValue(capacity + 1);

            assertThat(pollUntil(reader, context, 8, 1)).hasSize(8);
        }
    }

    private static void awaitAvailable(
            SourceReader<InferenceOutput, ResultObjectSplit> reader, long millis) throws Exception {
        try {
            reader.isAvailable().get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillNothing) {
            // The caller polls again.
        }
    }

    private static InferenceOutput find(List<InferenceOutput> records, S3Location location) {
        return records.stream()
                .filter(r -> r.location().equals(location.toString()))
                .findFirst()
                .orElseThrow();
    }
}
