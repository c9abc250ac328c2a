package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.ResultStatus;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both re-join steps driven by Flink's keyed two-input harness with processing time under test
 * control: either arrival order, model errors, deadlines, duplicates and state cleanup.
 */
class InferenceResultJoinTest {
    private static final long SUBMIT = 1_000L;
    private static final long DEADLINE = 60_000L;
    private static final long UNMATCHED = 5_000L;
    private static final long DUPLICATES = 30_000L;

    private KeyedTwoInputStreamOperatorTestHarness<
                    String,
                    PendingInference<String>,
                    Tuple2<String, InferenceOutput>,
                    InferenceResult<String>>
            join;

    /** The state backend under test; the heap here, RocksDB in the subclass. */
    StateBackend backend() {
        return new HashMapStateBackend();
    }

    private KeyedTwoInputStreamOperatorTestHarness<
                    String,
                    PendingInference<String>,
                    Tuple2<String, InferenceOutput>,
                    InferenceResult<String>>
            newJoin() throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<
                        String,
                        PendingInference<String>,
                        Tuple2<String, InferenceOutput>,
                        InferenceResult<String>>
                harness =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new InferenceResultJoin<>(
                                                Types.STRING, UNMATCHED, DUPLICATES, null)),
                                PendingInference::inferenceId,
                                tagged -> tagged.f0,
                                Types.STRING);
        harness.setStateBackend(backend());
        return harness;
    }

    @BeforeEach
    void open() throws Exception {
        join = newJoin();
        join.setup();
        join.open();
        join.setProcessingTime(SUBMIT);
    }

    @AfterEach
    void close() throws Exception {
        join.close();
    }

    static PendingInference<String> pending(String id) {
        return PendingInference.accepted(
                id,
                "s3://b/out/" + id + ".out",
                "s3://b/failed/" + id + "-error.out",
                SubmitPath.INLINE,
                3,
                SUBMIT,
                DEADLINE,
                null,
                "element-" + id);
    }

    static Tuple2<String, InferenceOutput> output(String id, String content) {
        return Tuple2.of(
                id,
                new InferenceOutput(
                        "s3://b/out/" + id + ".out",
                        ResultStatus.SUCCESS,
                        content.getBytes(StandardCharsets.UTF_8),
                        "application/json",
                        4_000L,
                        content.length(),
                        "\"e\""));
    }

    static Tuple2<String, InferenceOutput> failure(String id, String text) {
        return Tuple2.of(
                id,
                new InferenceOutput(
                        "s3://b/failed/" + id + "-error.out",
                        ResultStatus.FAILURE,
                        text.getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        5_000L,
                        text.length(),
                        null));
    }

    private static final String[] JOIN_STATES = {
        "pending", "early-output", "early-output-expiry", "done-until"
    };
    private static final String[] TAGGER_STATES = {"claim", "unclaimed-output"};

    /** Keys that still hold any of {@code states}, on any backend (heap or RocksDB). */
    @SuppressWarnings("unchecked")
    static long keysWithState(AbstractStreamOperatorTestHarness<?> harness, String... states)
            throws Exception {
        KeyedStateBackend<Object> backend =
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        long keys = 0;
        for (String state : states) {
            try (Stream<Object> stream = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                keys += stream.count();
            }
        }
        return keys;
    }

    private List<InferenceResult<String>> results() {
        return join.extractOutputValues();
    }

    @Test
    void pendingFirstThenOutputGivesOneSuccess() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.setProcessingTime(SUBMIT + 3_000L);
        join.processElement2(new StreamRecord<>(output("a", "{\"ok\":1}")));

        InferenceResult<String> result = results().get(0);
        assertThat(results()).hasSize(1);
        assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
        assertThat(result.element()).isEqualTo("element-a");
        assertThat(new String(result.output(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":1}");
        assertThat(result.contentType()).isEqualTo("application/json");
        assertThat(result.resultLocation()).isEqualTo("s3://b/out/a.out");
        assertThat(result.latencyMillis()).isEqualTo(3_000L);
        assertThat(result.path()).isEqualTo(SubmitPath.INLINE);
    }

    @Test
    void outputFirstThenPendingGivesOneSuccess() throws Exception {
        join.processElement2(new StreamRecord<>(output("a", "x")));
        assertThat(results()).isEmpty();
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .singleElement()
                .extracting(InferenceResult::status)
                .isEqualTo(InferenceStatus.SUCCESS);
    }

    @Test
    void aFailureObjectGivesAModelErrorWithItsText() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(failure("a", "CUDA out of memory")));

        InferenceResult<String> result = results().get(0);
        assertThat(result.status()).isEqualTo(InferenceStatus.MODEL_ERROR);
        assertThat(result.errorMessage()).isEqualTo("CUDA out of memory");
        assertThat(result.output()).isNull();
    }

    @Test
    void noResultByTheDeadlineTimesOutAndALateOutputIsDropped() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.setProcessingTime(DEADLINE - 1);
        assertThat(results()).isEmpty();

        join.setProcessingTime(DEADLINE);
        assertThat(results())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.status()).isEqualTo(InferenceStatus.TIMED_OUT);
                            assertThat(r.errorMessage()).contains("by the deadline");
                            assertThat(r.completedTimeMillis()).isEqualTo(DEADLINE);
                        });

        join.processElement2(new StreamRecord<>(output("a", "late")));
        assertThat(results()).hasSize(1);
    }

    @Test
    void replaysAndSecondOutputsAreDroppedNeverEmittedTwice() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(output("a", "first")));
        join.processElement2(new StreamRecord<>(output("a", "second")));
        join.processElement2(new StreamRecord<>(failure("a", "also")));
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results()).hasSize(1);
        assertThat(new String(results().get(0).output(), StandardCharsets.UTF_8))
                .isEqualTo("first");
    }

    @Test
    void twoOutputsBeforeThePendingRecordStillGiveOneResult() throws Exception {
        join.processElement2(new StreamRecord<>(output("a", "first")));
        join.processElement2(new StreamRecord<>(failure("a", "second")));
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .singleElement()
                .extracting(InferenceResult::status)
                .isEqualTo(InferenceStatus.SUCCESS);
    }

    @Test
    void stateForAnIdIsClearedAfterTheDuplicateRetention() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(output("a", "x")));
        assertThat(keysWithState(join, JOIN_STATES)).isPositive();

        join.setProcessingTime(SUBMIT + DUPLICATES);
        assertThat(keysWithState(join, JOIN_STATES)).isZero();
    }

    @Test
    void anUnmatchedOutputIsForgottenAfterItsRetention() throws Exception {
        join.processElement2(new StreamRecord<>(output("orphan", "x")));
        join.setProcessingTime(SUBMIT + UNMATCHED);

        assertThat(keysWithState(join, JOIN_STATES)).isZero();
        join.processElement1(new StreamRecord<>(pending("orphan")));
        assertThat(results()).isEmpty();
    }

    @Test
    void pendingInferencesSurviveASnapshotAndRestore() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(output("b", "early")));
        OperatorSubtaskState snapshot = join.snapshot(1L, 1L);
        join.close();

        join = newJoin();
        join.setup();
        join.initializeState(snapshot);
        join.open();
        join.setProcessingTime(SUBMIT + 1);
        join.processElement2(new StreamRecord<>(output("a", "for a")));
        join.processElement1(new StreamRecord<>(pending("b")));

        assertThat(results())
                .extracting(InferenceResult::inferenceId)
                .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void theTaggerPairsObjectsWithTheirClaimInEitherOrder() throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<
                        String,
                        Tuple3<String, String, Long>,
                        InferenceOutput,
                        Tuple2<String, InferenceOutput>>
                tagger =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new LocationTagger(UNMATCHED, DUPLICATES)),
                                claim -> claim.f0,
                                InferenceOutput::location,
                                Types.STRING)) {
            tagger.setStateBackend(backend());
            tagger.open();
            tagger.setProcessingTime(SUBMIT);
            tagger.processElement1(
                    new StreamRecord<>(Tuple3.of("s3://b/out/a.out", "a", DEADLINE)));
            tagger.processElement2(new StreamRecord<>(outputAt("s3://b/out/a.out")));
            tagger.processElement2(new StreamRecord<>(outputAt("s3://b/out/b.out")));
            tagger.processElement1(
                    new StreamRecord<>(Tuple3.of("s3://b/out/b.out", "b", DEADLINE)));

            assertThat(tagger.extractOutputValues())
                    .extracting(t -> t.f0 + " " + t.f1.location())
                    .containsExactly("a s3://b/out/a.out", "b s3://b/out/b.out");

            tagger.processElement1(
                    new StreamRecord<>(Tuple3.of("s3://b/out/c.out", "c", DEADLINE)));
            tagger.setProcessingTime(DEADLINE + 1);
            tagger.processElement2(new StreamRecord<>(outputAt("s3://b/out/c.out")));
            assertThat(tagger.extractOutputValues())
                    .as("a late object is still tagged, so the join can drop and count it")
                    .hasSize(3);

            tagger.processElement1(
                    new StreamRecord<>(Tuple3.of("s3://b/out/d.out", "d", DEADLINE)));
            tagger.processElement2(new StreamRecord<>(outputAt("s3://b/out/e.out")));
            assertThat(keysWithState(tagger, TAGGER_STATES))
                    .as("a claim and an unclaimed object are held (the state names are right)")
                    .isEqualTo(2);
            tagger.setProcessingTime(DEADLINE + 1 + DUPLICATES);
            assertThat(keysWithState(tagger, TAGGER_STATES))
                    .as("claims forgotten after the retention")
                    .isZero();
        }
    }

    private static InferenceOutput outputAt(String location) {
        return new InferenceOutput(
                location, ResultStatus.SUCCESS, new byte[] {1}, null, 2_000L, 1L, null);
    }
}
