package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.InferenceIdExtractor;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ID guard: the first element with an ID passes, a later one within the horizon is REJECTED
 * naming the ID, an ID is free again after the horizon, and a timer that fires late (the job was
 * down) keeps the ID for another horizon, because the join's deadlines fired late too.
 */
class InferenceIdGuardTest {
    private static final long START = 1_000_000L;
    private static final long HORIZON = 60_000L;

    /** Elements are "id:payload"; an element without ':' has no valid ID. */
    private static final InferenceIdExtractor<String> ID =
            element -> element.contains(":") ? element.substring(0, element.indexOf(':')) : "";

    private static final OutputTag<InferenceResult<String>> REJECTED =
            new OutputTag<>("rejected", new InferenceResultTypeInfo<>(Types.STRING));

    private KeyedOneInputStreamOperatorTestHarness<String, String, String> guard;

    @BeforeEach
    void open() throws Exception {
        guard =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new InferenceIdGuard<String, String>(
                                        element -> "projected " + element, HORIZON, REJECTED)),
                        InferenceIdGuard.keyBy(ID),
                        Types.STRING);
        guard.open();
        guard.setProcessingTime(START);
    }

    @AfterEach
    void close() throws Exception {
        guard.close();
    }

    private void offer(String element) throws Exception {
        guard.processElement(new StreamRecord<>(element));
    }

    private List<String> passed() {
        return guard.extractOutputValues();
    }

    private List<InferenceResult<String>> rejected() {
        ConcurrentLinkedQueue<StreamRecord<InferenceResult<String>>> side =
                guard.getSideOutput(REJECTED);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void theFirstElementWithAnIdPassesAndALaterOneIsRejectedNamingTheId() throws Exception {
        offer("a:first");
        offer("b:other");
        offer("a:second");

        assertThat(passed()).containsExactly("a:first", "b:other");
        assertThat(rejected())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.status()).isEqualTo(InferenceStatus.REJECTED);
                            assertThat(r.inferenceId()).isEqualTo("a");
                            assertThat(r.element()).isEqualTo("projected a:second");
                            assertThat(r.errorMessage())
                                    .startsWith(
                                            "DUPLICATE_INFERENCE_ID: Inference ID 'a' is already used");
                        });
    }

    @Test
    void anIdIsFreeAgainAfterTheHorizon() throws Exception {
        offer("a:first");
        guard.setProcessingTime(START + HORIZON - 1);
        offer("a:too soon");
        guard.setProcessingTime(START + HORIZON);
        offer("a:later");

        assertThat(passed()).containsExactly("a:first", "a:later");
        assertThat(rejected()).hasSize(1);
        assertThat(guard.numProcessingTimeTimers()).as("the second use's horizon").isEqualTo(1);
    }

    @Test
    void aTimerThatFiresLateKeepsTheIdForAnotherHorizon() throws Exception {
        offer("a:first");
        long restoredAt = START + HORIZON + 3_600_000L;
        guard.setProcessingTime(restoredAt);
        offer("a:after the downtime");
        assertThat(rejected())
                .as("the join's late deadline remembers 'a' from now on; so does the guard")
                .hasSize(1);

        guard.setProcessingTime(restoredAt + HORIZON);
        offer("a:much later");
        assertThat(passed()).containsExactly("a:first", "a:much later");
    }

    @Test
    void elementsWithoutAValidIdPassForTheSubmitStepToReject() throws Exception {
        offer("no id");
        offer("no id either");
        offer(" leading space:x");

        assertThat(passed()).containsExactly("no id", "no id either", " leading space:x");
        assertThat(rejected()).isEmpty();
        assertThat(guard.numProcessingTimeTimers()).isZero();
    }
}
