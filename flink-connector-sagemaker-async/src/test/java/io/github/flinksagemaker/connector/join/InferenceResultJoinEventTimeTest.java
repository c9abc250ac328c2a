package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.submit.PendingInference;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.github.flinksagemaker.connector.join.JoinFixtures.CONFIG;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DEADLINE;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DEADLINE_TAG;
import static io.github.flinksagemaker.connector.join.JoinFixtures.SUBMIT;
import static io.github.flinksagemaker.connector.join.JoinFixtures.output;
import static io.github.flinksagemaker.connector.join.JoinFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The join in event time, driven by Flink's keyed two-input harness: every result carries its
 * element's timestamp, the output watermark is held before the earliest pending element and follows
 * the input otherwise, across snapshots, restores and a change of parallelism; the results input
 * never holds it; idleness passes through only when nothing is pending; and a subtask whose input
 * ended reports once nothing is pending.
 */
class InferenceResultJoinEventTimeTest {
    private static final int MAX_PARALLELISM = 128;

    private final List<OperatorEvent> reported = new ArrayList<>();

    private KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
            join(int parallelism, int subtask) throws Exception {
        InferenceResultJoin<String> operator =
                new InferenceResultJoin<>(Types.STRING, CONFIG, DEADLINE_TAG);
        OperatorEventGateway gateway = reported::add;
        operator.reportEndTo(gateway);
        var harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        operator,
                        PendingInference::inferenceId,
                        TaggedOutput::inferenceId,
                        Types.STRING,
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        harness.setup();
        return harness;
    }

    private KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
            openJoin() throws Exception {
        var harness = join(1, 0);
        harness.open();
        harness.setProcessingTime(SUBMIT);
        return harness;
    }

    private static StreamRecord<PendingInference<String>> pendingAt(String id, long timestamp) {
        return new StreamRecord<>(pending(id), timestamp);
    }

    /** The timestamp of each emitted result, by inference ID. */
    private static Map<String, Long> resultTimestamps(AbstractStreamOperatorTestHarness<?> join) {
        return join.getOutput().stream()
                .filter(StreamRecord.class::isInstance)
                .map(e -> (StreamRecord<?>) e)
                .collect(
                        Collectors.toMap(
                                r -> ((InferenceResult<?>) r.getValue()).inferenceId(),
                                StreamRecord::getTimestamp));
    }

    private static List<Long> watermarks(AbstractStreamOperatorTestHarness<?> join) {
        return join.getOutput().stream()
                .filter(Watermark.class::isInstance)
                .map(e -> ((Watermark) e).getTimestamp())
                .toList();
    }

    private static List<Object> statuses(AbstractStreamOperatorTestHarness<?> join) {
        return join.getOutput().stream()
                .filter(WatermarkStatus.class::isInstance)
                .map(e -> (Object) e)
                .toList();
    }

    @Test
    void everyResultCarriesItsElementsTimestampWhateverDecidesIt() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(pendingAt("answered", 1_000L));
            join.processElement2(new StreamRecord<>(output("answered", "{}"), 99_999L));
            join.processElement2(new StreamRecord<>(output("early", "{}")));
            join.processElement1(pendingAt("early", 2_000L));
            join.processElement1(pendingAt("early", 3_000L)); // a repeated ID: REJECTED
            join.processElement1(pendingAt("silent", 4_000L));
            join.setProcessingTime(DEADLINE);

            // The repeated ID's REJECTED result has the second element's timestamp.
            assertThat(
                            join.getOutput().stream()
                                    .filter(StreamRecord.class::isInstance)
                                    .map(e -> (StreamRecord<?>) e)
                                    .map(
                                            r ->
                                                    tuple(
                                                            ((InferenceResult<?>) r.getValue())
                                                                    .status(),
                                                            r.getTimestamp()))
                                    .toList())
                    .containsExactly(
                            tuple(InferenceStatus.SUCCESS, 1_000L),
                            tuple(InferenceStatus.SUCCESS, 2_000L),
                            tuple(InferenceStatus.REJECTED, 3_000L));
            assertThat(join.getSideOutput(DEADLINE_TAG))
                    .extracting(StreamRecord::getTimestamp)
                    .as("the deadline check gets the element's timestamp, not the timer's")
                    .containsExactly(4_000L);
        }
    }

    @Test
    void theOutputWatermarkStaysBeforeTheEarliestPendingElement() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(pendingAt("a", 1_000L));
            join.processElement1(pendingAt("b", 2_000L));
            join.processWatermark1(new Watermark(5_000L));
            assertThat(watermarks(join)).containsExactly(999L);

            join.processElement2(new StreamRecord<>(output("b", "{}")));
            assertThat(watermarks(join)).as("a still waits").containsExactly(999L);

            join.processElement2(new StreamRecord<>(output("a", "{}")));
            assertThat(watermarks(join)).containsExactly(999L, 5_000L);
            // The result was emitted before the watermark that passes it.
            assertThat(join.getOutput().stream().map(Object::getClass).toList())
                    .containsSubsequence(StreamRecord.class, StreamRecord.class, Watermark.class);
        }
    }

    /** Results oldest first would each advance it: one watermark per result, to every channel. */
    @Test
    void resultsAdvanceTheWatermarkAtMostOncePerAutoWatermarkInterval() throws Exception {
        try (var join = openJoin()) {
            long interval = join.getExecutionConfig().getAutoWatermarkInterval();
            assertThat(interval).as("Flink's default auto-watermark interval").isPositive();
            for (String id : List.of("a", "b", "c", "d")) {
                join.processElement1(pendingAt(id, 1_000L * (id.charAt(0) - 'a' + 1)));
            }
            join.processWatermark1(new Watermark(10_000L));
            assertThat(watermarks(join)).containsExactly(999L);

            join.processElement2(new StreamRecord<>(output("a", "{}")));
            join.processElement2(new StreamRecord<>(output("b", "{}")));
            join.processElement2(new StreamRecord<>(output("c", "{}")));
            assertThat(watermarks(join))
                    .as("the first result's at once, the next two's within the interval held back")
                    .containsExactly(999L, 1_999L);

            join.setProcessingTime(SUBMIT + interval);
            assertThat(watermarks(join))
                    .as("at the end of the interval, the watermark the results allow")
                    .containsExactly(999L, 1_999L, 3_999L);

            join.processElement2(new StreamRecord<>(output("d", "{}")));
            assertThat(watermarks(join))
                    .as("nothing pending: the input's watermark at once")
                    .containsExactly(999L, 1_999L, 3_999L, 10_000L);
        }
    }

    @Test
    void anInferencePastItsDeadlineStopsHoldingOnceHandedToTheCheck() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(pendingAt("silent", 1_000L));
            join.processWatermark1(new Watermark(5_000L));
            join.setProcessingTime(DEADLINE);
            assertThat(watermarks(join)).containsExactly(999L, 5_000L);
        }
    }

    @Test
    void theResultsInputNeverHoldsOrAdvancesTheWatermark() throws Exception {
        try (var join = openJoin()) {
            join.processWatermark2(new Watermark(Long.MAX_VALUE));
            assertThat(watermarks(join)).isEmpty();
            join.processWatermark1(new Watermark(5_000L));
            join.processWatermark2(new Watermark(1L));
            join.processWatermark1(new Watermark(6_000L));
            assertThat(watermarks(join)).containsExactly(5_000L, 6_000L);
        }
    }

    @Test
    void theHoldSurvivesASnapshotAndARestoreAtAnotherParallelism() throws Exception {
        OperatorSubtaskState first;
        OperatorSubtaskState second;
        try (var subtask0 = join(2, 0);
                var subtask1 = join(2, 1)) {
            subtask0.open();
            subtask1.open();
            subtask0.setProcessingTime(SUBMIT);
            subtask1.setProcessingTime(SUBMIT);
            // Each ID goes to the subtask that owns its key group.
            for (int i = 0; i < 20; i++) {
                String id = "id-" + i;
                var owner =
                        org.apache.flink.runtime.state.KeyGroupRangeAssignment
                                                .assignKeyToParallelOperator(id, MAX_PARALLELISM, 2)
                                        == 0
                                ? subtask0
                                : subtask1;
                owner.processElement1(pendingAt(id, 1_000L + i));
            }
            first = subtask0.snapshot(1L, SUBMIT);
            second = subtask1.snapshot(1L, SUBMIT);
        }
        OperatorSubtaskState merged =
                AbstractStreamOperatorTestHarness.repackageState(first, second);
        try (var restored = join(1, 0)) {
            restored.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            merged, MAX_PARALLELISM, 2, 1, 0));
            restored.open();
            restored.setProcessingTime(SUBMIT + 1_000L);
            restored.processWatermark1(new Watermark(10_000L));
            assertThat(watermarks(restored)).containsExactly(999L);

            for (int i = 0; i < 19; i++) {
                restored.processElement2(new StreamRecord<>(output("id-" + i, "{}")));
            }
            // At most one watermark per auto-watermark interval while elements wait.
            restored.setProcessingTime(
                    SUBMIT + 1_000L + restored.getExecutionConfig().getAutoWatermarkInterval());
            assertThat(watermarks(restored)).last().isEqualTo(1_018L);
            assertThat(resultTimestamps(restored)).hasSize(19).containsEntry("id-7", 1_007L);

            restored.processElement2(new StreamRecord<>(output("id-19", "{}")));
            assertThat(watermarks(restored)).last().isEqualTo(10_000L);
            assertThat(reported).isEmpty();
            restored.endInput1();
            assertThat(reported).as("input ended, nothing pending").hasSize(1);
        }
    }

    @Test
    void elementsWithoutATimestampGetResultsWithoutOneAndHoldNothing() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(new StreamRecord<>(pending("a")));
            join.processWatermark1(new Watermark(5_000L));
            join.processElement2(new StreamRecord<>(output("a", "{}"), 7L));
            assertThat(watermarks(join)).containsExactly(5_000L);
            assertThat(join.getOutput().stream().filter(StreamRecord.class::isInstance))
                    .allMatch(e -> !((StreamRecord<?>) e).hasTimestamp());
        }
    }

    @Test
    void theOutputIsIdleOnlyWhileTheInputIsIdleAndNothingWaits() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(pendingAt("a", 1_000L));
            join.processWatermark1(new Watermark(5_000L));
            join.processWatermarkStatus1(WatermarkStatus.IDLE);
            assertThat(statuses(join)).as("a still holds").isEmpty();

            join.processElement2(new StreamRecord<>(output("a", "{}")));
            assertThat(watermarks(join)).containsExactly(999L, 5_000L);
            assertThat(statuses(join)).containsExactly(WatermarkStatus.IDLE);

            join.processWatermarkStatus2(WatermarkStatus.ACTIVE);
            assertThat(statuses(join)).as("the results input has no say").hasSize(1);

            join.processWatermarkStatus1(WatermarkStatus.ACTIVE);
            assertThat(statuses(join))
                    .containsExactly(WatermarkStatus.IDLE, WatermarkStatus.ACTIVE);
        }
    }

    /**
     * The deadline check (Flink's Async I/O) forwards idleness ahead of the record it is checking;
     * were the join idle then, an all-idle union downstream would pass the record's timestamp.
     */
    @Test
    void anIdleInputDoesNotMakeTheJoinIdleWhileADeadlineCheckMayRun() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(pendingAt("silent", 1_000L));
            join.processWatermark1(new Watermark(5_000L));
            join.processWatermarkStatus1(WatermarkStatus.IDLE);
            join.setProcessingTime(DEADLINE);

            assertThat(join.getSideOutput(DEADLINE_TAG)).hasSize(1);
            assertThat(watermarks(join)).containsExactly(999L, 5_000L);
            assertThat(statuses(join)).as("the check may still be running").isEmpty();

            join.setProcessingTime(DEADLINE + InferenceResultJoin.DEFAULT_DEADLINE_CHECK_MILLIS);
            assertThat(statuses(join)).containsExactly(WatermarkStatus.IDLE);
        }
    }

    @Test
    void aSubtaskReportsTheEndOnceItsInputEndedAndNothingIsPending() throws Exception {
        try (var join = openJoin()) {
            join.processElement1(pendingAt("a", 1_000L));
            join.processElement1(pendingAt("b", 1_000L));
            join.endInput1();
            assertThat(reported).isEmpty();

            join.processElement2(new StreamRecord<>(output("a", "{}")));
            assertThat(reported).isEmpty();
            join.setProcessingTime(DEADLINE); // b goes to the deadline check: it has its result
            assertThat(reported).hasSize(1).allMatch(JoinDrainedEvent.class::isInstance);

            join.processElement2(new StreamRecord<>(output("b", "{}")));
            assertThat(reported).as("reported once").hasSize(1);
        }
    }
}
