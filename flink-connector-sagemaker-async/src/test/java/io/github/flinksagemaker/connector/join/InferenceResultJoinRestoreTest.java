package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.S3Errors;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.github.flinksagemaker.connector.join.JoinFixtures.CONFIG;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DEADLINE;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DEADLINE_TAG;
import static io.github.flinksagemaker.connector.join.JoinFixtures.SUBMIT;
import static io.github.flinksagemaker.connector.join.JoinFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * After a restore, the join looks at the locations of the inferences its snapshot holds pending, so
 * one whose notification was consumed (and deleted) after the snapshot is answered within moments,
 * not at its deadline.
 */
class InferenceResultJoinRestoreTest {
    private static final Map<String, S3ObjectStore> STORES = new ConcurrentHashMap<>();

    private static final WatchConfig WATCH =
            WatchConfig.from(
                    new Configuration()
                            .set(AwsConfigOptions.AWS_REGION, "us-east-1")
                            .set(WatchOptions.OUTPUT_PATH, "s3://b/out")
                            .set(WatchOptions.FAILURE_PATH, "s3://b/failed"));

    private final String storeName = UUID.randomUUID().toString();
    private final InMemoryObjectStore store = new InMemoryObjectStore();

    InferenceResultJoinRestoreTest() {
        STORES.put(storeName, store);
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
            harness(
                    TwoInputStreamOperator<
                                    PendingInference<String>, TaggedOutput, InferenceResult<String>>
                            operator)
                    throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<
                        String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
                harness =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                operator,
                                PendingInference::inferenceId,
                                TaggedOutput::inferenceId,
                                Types.STRING);
        harness.setStateBackend(new HashMapStateBackend());
        return harness;
    }

    /** The join under test, the last one {@link #restoredJoin} made. */
    private InferenceResultJoin<String> join;

    private InferenceResultJoin<String> restoredJoin() {
        return restoredJoin(storeName);
    }

    private InferenceResultJoin<String> restoredJoin(String name) {
        WatchClientFactory clients = config -> STORES.get(name);
        join = new InferenceResultJoin<>(Types.STRING, CONFIG, DEADLINE_TAG, WATCH, clients, true);
        return join;
    }

    /** A snapshot holding "out", "failed" and "silent" pending, as a plain join took it. */
    private static OperatorSubtaskState snapshotWithThreePending() throws Exception {
        try (var before = harness(new InferenceResultJoin<>(Types.STRING, CONFIG, DEADLINE_TAG))) {
            before.setup();
            before.open();
            before.setProcessingTime(SUBMIT);
            for (String id : List.of("out", "failed", "silent")) {
                before.processElement1(new StreamRecord<>(pending(id)));
            }
            return before.snapshot(1L, SUBMIT);
        }
    }

    @Test
    void restoredInferencesWhoseResultsExistAreAnsweredAtOnceNotAtTheirDeadline() throws Exception {
        OperatorSubtaskState snapshot = snapshotWithThreePending();
        store.put(S3Location.parse("s3://b/out/out.out", "test"), "{\"ok\":1}", SUBMIT + 4_000);
        store.put(
                S3Location.parse("s3://b/failed/failed-error.out", "test"),
                "model failed",
                SUBMIT + 4_000);

        try (var restored = harness(restoredJoin())) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            long now = SUBMIT + 10_000;
            for (int tick = 1; tick <= 3; tick++) {
                restored.setProcessingTime(now + tick * PendingLooks.TICK_MILLIS);
            }

            assertThat(restored.extractOutputValues())
                    .extracting(InferenceResult::inferenceId, InferenceResult::status)
                    .containsExactlyInAnyOrder(
                            tuple("out", InferenceStatus.SUCCESS),
                            tuple("failed", InferenceStatus.MODEL_ERROR));
            assertThat(join.metrics().restoredLooks.getCount()).isEqualTo(3);
            assertThat(join.metrics().restoredLooksFound.getCount()).isEqualTo(2);

            // The one without a result waits for its notification or deadline, as before.
            restored.setProcessingTime(DEADLINE);
            assertThat(restored.getSideOutput(DEADLINE_TAG))
                    .extracting(record -> record.getValue().inferenceId())
                    .containsExactly("silent");
            assertThat(restored.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void aResultFoundByTheLookAndItsLateNotificationGiveOneResult() throws Exception {
        OperatorSubtaskState snapshot = snapshotWithThreePending();
        store.put(S3Location.parse("s3://b/out/out.out", "test"), "{\"ok\":1}", SUBMIT + 4_000);

        try (var restored = harness(restoredJoin())) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            for (int tick = 1; tick <= 3; tick++) {
                restored.setProcessingTime(SUBMIT + tick * PendingLooks.TICK_MILLIS);
            }
            restored.processElement2(new StreamRecord<>(JoinFixtures.output("out", "{\"ok\":1}")));

            assertThat(restored.extractOutputValues())
                    .extracting(InferenceResult::inferenceId)
                    .containsExactly("out");
        }
    }

    @Test
    void aJobThatStartsWithoutStateLooksNowhere() throws Exception {
        try (var fresh = harness(restoredJoin())) {
            fresh.setup();
            fresh.open();
            fresh.setProcessingTime(SUBMIT);
            fresh.processElement1(new StreamRecord<>(pending("out")));
            fresh.setProcessingTime(SUBMIT + 10 * PendingLooks.TICK_MILLIS);

            assertThat(store.findRequests).hasValue(0);
            assertThat(fresh.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void looksThatMeetSlowDownOrErrorsAreMadeAgainWithBackoffUntilTheyFindTheResult()
            throws Exception {
        OperatorSubtaskState snapshot = snapshotWithThreePending();
        store.put(S3Location.parse("s3://b/out/out.out", "test"), "{\"ok\":1}", SUBMIT + 4_000);
        AtomicInteger finds = new AtomicInteger();
        String flaky = UUID.randomUUID().toString();
        STORES.put(
                flaky,
                new S3ObjectStore() {
                    @Override
                    public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
                        // Three SlowDowns, then two 500s, then S3 answers.
                        int find = finds.incrementAndGet();
                        if (find <= 3 * 3) {
                            return CompletableFuture.failedFuture(S3Errors.of(503, "SlowDown"));
                        }
                        if (find <= 3 * 5) {
                            return CompletableFuture.failedFuture(
                                    S3Errors.of(500, "InternalError"));
                        }
                        return store.findObject(location);
                    }

                    @Override
                    public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
                        return store.getObject(location);
                    }

                    @Override
                    public CompletableFuture<Void> putObject(
                            S3Location location,
                            byte[] bytes,
                            String contentType,
                            Duration timeout) {
                        return store.putObject(location, bytes, contentType, timeout);
                    }

                    @Override
                    public CompletableFuture<Integer> listObjects(
                            S3Location prefix,
                            boolean directChildrenOnly,
                            Consumer<S3ObjectSummary> consumer) {
                        return store.listObjects(prefix, directChildrenOnly, consumer);
                    }

                    @Override
                    public CompletableFuture<List<String>> deleteObjects(
                            String bucket, List<String> keys) {
                        return store.deleteObjects(bucket, keys);
                    }

                    @Override
                    public void close() {}
                });

        try (var restored = harness(restoredJoin(flaky))) {
            restored.setup();
            restored.initializeState(snapshot);
            restored.open();
            for (long t = SUBMIT; t < SUBMIT + 60_000; t += PendingLooks.TICK_MILLIS) {
                restored.setProcessingTime(t);
            }

            assertThat(restored.extractOutputValues())
                    .extracting(InferenceResult::inferenceId, InferenceResult::status)
                    .containsExactly(tuple("out", InferenceStatus.SUCCESS));
            assertThat(finds.get()).isGreaterThan(3 * 5);
        }
    }
}
