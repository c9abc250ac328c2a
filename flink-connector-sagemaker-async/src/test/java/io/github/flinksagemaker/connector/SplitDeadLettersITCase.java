package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceResultTypeInfo;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.CollectingSink;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Split dead letters: each result reaches exactly one of the two streams, on a real cluster. */
class SplitDeadLettersITCase {
    private static final long SUBMITTED = 1_764_000_000_000L;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Results of every status, in turn; the element is the inference ID. */
    static List<InferenceResult<String>> results(int count) {
        List<InferenceResult<String>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "id-" + i;
            PendingInference<String> pending =
                    PendingInference.accepted(
                            id,
                            "s3://bucket/out/" + id + ".out",
                            "s3://bucket/failure/" + id + ".out",
                            SubmitPath.INLINE,
                            10,
                            SUBMITTED,
                            SUBMITTED + 60_000,
                            null,
                            id);
            InferenceStatus status = InferenceStatus.values()[i % InferenceStatus.values().length];
            results.add(
                    switch (status) {
                        case SUCCESS ->
                                InferenceResult.success(pending, object(id, true), SUBMITTED);
                        case MODEL_ERROR ->
                                InferenceResult.modelError(pending, object(id, false), SUBMITTED);
                        case UNREADABLE ->
                                InferenceResult.unreadable(
                                        pending,
                                        InferenceOutput.unreadable(
                                                "s3://bucket/out/" + id + ".out",
                                                ResultStatus.SUCCESS,
                                                SUBMITTED,
                                                3,
                                                null,
                                                "AccessDenied"),
                                        SUBMITTED);
                        case REJECTED ->
                                InferenceResult.rejected(
                                        id,
                                        id,
                                        SubmitPath.INLINE,
                                        RejectionReason.VALIDATION_ERROR,
                                        "refused",
                                        SUBMITTED);
                        case TIMED_OUT -> InferenceResult.timedOut(pending, "nothing", SUBMITTED);
                    });
        }
        return results;
    }

    private static InferenceOutput object(String id, boolean output) {
        return new InferenceOutput(
                "s3://bucket/" + (output ? "out/" : "failure/") + id + ".out",
                output ? ResultStatus.SUCCESS : ResultStatus.FAILURE,
                id.getBytes(StandardCharsets.UTF_8),
                "text/plain",
                SUBMITTED,
                id.length(),
                null);
    }

    @Test
    void everyResultReachesExactlyOneOfTheTwoStreams() throws Exception {
        List<InferenceResult<String>> all = results(500);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<InferenceResult<String>> successes = new CollectingSink<>("successes");
        CollectingSink<InferenceResult<String>> deadLetters = new CollectingSink<>("dead-letters");
        SageMakerAsyncInference.SplitResults<String> split =
                SageMakerAsyncInference.splitDeadLetters(
                        env.fromData(all, new InferenceResultTypeInfo<>(Types.STRING)).rebalance());
        split.successes().sinkTo(successes);
        split.deadLetters().sinkTo(deadLetters);

        env.execute("split dead letters");

        assertThat(successes.collected())
                .hasSize(100)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(InferenceStatus.SUCCESS));
        assertThat(deadLetters.collected())
                .hasSize(400)
                .noneSatisfy(r -> assertThat(r.status()).isEqualTo(InferenceStatus.SUCCESS));
        List<InferenceResult<String>> both = new ArrayList<>(successes.collected());
        both.addAll(deadLetters.collected());
        assertThat(both).containsExactlyInAnyOrderElementsOf(all);
    }
}
