package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.watch.InferenceOutput;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With cleanup on, inputs and result objects are deleted only after their checkpoint. */
class InferenceResultCleanupTest {
    private static InMemoryObjectStore store;

    @Test
    void deletesTheInputAndTheResultObjectOnceTheCheckpointCompletes() throws Exception {
        store = new InMemoryObjectStore();
        S3Location input = new S3Location("b", "in/a");
        S3Location output = new S3Location("b", "out/a.out");
        store.put(input, "payload", 1L);
        store.put(output, "result", 2L);
        PendingInference<String> pending =
                PendingInference.accepted(
                        "a",
                        output.toString(),
                        "s3://b/failed/a-error.out",
                        SubmitPath.S3,
                        200_000,
                        1_000L,
                        60_000L,
                        input.toString(),
                        "element");
        Tuple2<String, InferenceOutput> tagged = InferenceResultJoinTest.output("a", "result");

        try (KeyedTwoInputStreamOperatorTestHarness<
                        String,
                        PendingInference<String>,
                        Tuple2<String, InferenceOutput>,
                        InferenceResult<String>>
                join =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new InferenceResultJoin<>(
                                                Types.STRING, 5_000L, 30_000L, () -> store)),
                                PendingInference::inferenceId,
                                t -> t.f0,
                                Types.STRING)) {
            join.open();
            join.processElement1(new StreamRecord<>(pending));
            join.processElement2(new StreamRecord<>(tagged));
            assertThat(join.extractOutputValues()).hasSize(1);

            join.snapshot(1L, 1L);
            assertThat(store.contains(input)).as("not before the checkpoint completes").isTrue();
            join.notifyOfCompletedCheckpoint(1L);

            assertThat(store.contains(input)).isFalse();
            assertThat(store.contains(output)).isFalse();
        }
    }
}
