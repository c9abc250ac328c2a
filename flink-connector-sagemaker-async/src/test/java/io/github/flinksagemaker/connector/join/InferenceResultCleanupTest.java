package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With cleanup on, a result's input and result object are deleted only after the checkpoint that
 * covers the result; objects a user still needs stay; deletes waiting for a checkpoint survive a
 * failure; deletes S3 refuses are not counted as done.
 */
class InferenceResultCleanupTest {
    private static InMemoryObjectStore store;

    private static final S3Location INPUT = new S3Location("b", "in/a");
    private static final S3Location OUTPUT = new S3Location("b", "out/a.out");
    private static final S3Location BIG_OUTPUT = new S3Location("b", "out/big.out");

    @BeforeEach
    void fillStore() {
        store = new InMemoryObjectStore();
        store.put(INPUT, "payload", 1L);
        store.put(OUTPUT, "result", 2L);
        store.put(BIG_OUTPUT, "too big to carry", 2L);
    }

    private static OneInputStreamOperatorTestHarness<
                    InferenceResult<String>, InferenceResult<String>>
            emitter() throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(
                        new ResultEmitter<>(
                                new OutputTag<>(
                                        "dead", new InferenceResultTypeInfo<>(Types.STRING)),
                                () -> store)));
    }

    private static PendingInference<String> pending(String id, S3Location output) {
        return PendingInference.accepted(
                id,
                output.toString(),
                "s3://b/failed/" + id + "-error.out",
                SubmitPath.S3,
                200_000,
                1_000L,
                60_000L,
                INPUT.toString(),
                "element");
    }

    private static InferenceResult<String> success(S3Location output) {
        return InferenceResult.success(
                pending("a", output),
                new InferenceOutput(
                        output.toString(),
                        ResultStatus.SUCCESS,
                        "result".getBytes(StandardCharsets.UTF_8),
                        null,
                        2_000L,
                        6L,
                        null),
                3_000L);
    }

    @Test
    void deletesTheInputAndTheResultObjectOnceTheCheckpointCompletes() throws Exception {
        try (var emitter = emitter()) {
            emitter.open();
            emitter.processElement(new StreamRecord<>(success(OUTPUT)));
            assertThat(emitter.extractOutputValues()).hasSize(1);

            emitter.snapshot(1L, 1L);
            assertThat(store.contains(INPUT)).as("not before the checkpoint completes").isTrue();
            emitter.notifyOfCompletedCheckpoint(1L);

            assertThat(store.contains(INPUT)).isFalse();
            assertThat(store.contains(OUTPUT)).isFalse();
        }
    }

    @Test
    void keepsAResultObjectEmittedByLocationOnly() throws Exception {
        InferenceResult<String> locationOnly =
                InferenceResult.success(
                        pending("big", BIG_OUTPUT),
                        new InferenceOutput(
                                BIG_OUTPUT.toString(),
                                ResultStatus.SUCCESS,
                                null,
                                null,
                                2_000L,
                                50_000_000L,
                                null),
                        3_000L);
        try (var emitter = emitter()) {
            emitter.open();
            emitter.processElement(new StreamRecord<>(locationOnly));
            emitter.snapshot(1L, 1L);
            emitter.notifyOfCompletedCheckpoint(1L);

            assertThat(store.contains(INPUT)).isFalse();
            assertThat(store.contains(BIG_OUTPUT))
                    .as("the user reads it later with ResultContentReader")
                    .isTrue();
        }
    }

    @Test
    void deletesTheUploadedInputOfAnElementRejectedAfterTheUpload() throws Exception {
        PendingInference<String> refused =
                PendingInference.rejected(
                        "a",
                        SubmitPath.S3,
                        200_000,
                        1_000L,
                        INPUT.toString(),
                        "element",
                        RejectionReason.VALIDATION_ERROR,
                        "ValidationError: refused");
        try (var emitter = emitter()) {
            emitter.open();
            emitter.processElement(new StreamRecord<>(InferenceResult.rejected(refused)));
            emitter.snapshot(1L, 1L);
            emitter.notifyOfCompletedCheckpoint(1L);

            assertThat(store.contains(INPUT)).isFalse();
            assertThat(store.contains(OUTPUT)).isTrue();
        }
    }

    @Test
    void deletesWaitingForACheckpointSurviveAFailureAndRunAfterTheRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var emitter = emitter()) {
            emitter.open();
            emitter.processElement(new StreamRecord<>(success(OUTPUT)));
            snapshot = emitter.snapshot(1L, 1L);
            // The job fails before checkpoint 1 is confirmed: no delete has run.
        }
        assertThat(store.contains(OUTPUT)).isTrue();

        try (var restored = emitter()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.snapshot(2L, 2L);
            restored.notifyOfCompletedCheckpoint(2L);
        }
        assertThat(store.contains(INPUT)).isFalse();
        assertThat(store.contains(OUTPUT)).isFalse();
        assertThat(store.deletedObjects.get()).isEqualTo(2);
    }

    @Test
    void aDeleteS3RefusesStaysInS3() throws Exception {
        store.refuseDelete(OUTPUT);
        try (var emitter = emitter()) {
            emitter.open();
            emitter.processElement(new StreamRecord<>(success(OUTPUT)));
            emitter.snapshot(1L, 1L);
            emitter.notifyOfCompletedCheckpoint(1L);

            assertThat(store.contains(OUTPUT)).isTrue();
            assertThat(store.deletedObjects.get()).as("only the input").isEqualTo(1);
        }
    }
}
