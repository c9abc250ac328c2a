package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ITCases trust {@link ResultCollector} to fail on what a job's results did wrong: a job that
 * fails, before or after its last expected result, fails the test naming its failure.
 */
class ResultCollectorTest {
    private static final RuntimeException JOB_FAILED =
            new RuntimeException("Job execution failed: the model container crashed");

    private static InferenceResult<String> result(String id) {
        return InferenceResult.rejected(
                id, id, SubmitPath.INLINE, RejectionReason.SERIALIZATION_FAILED, "test", 0L);
    }

    @Test
    void aJobFailingAfterTheLastExpectedResultFailsTheQuietWatchNamingTheFailure()
            throws Exception {
        try (ResultCollector<String> collector =
                new ResultCollector<>(
                        ScriptedIterator.failing(
                                List.of(result("a"), result("b")), JOB_FAILED, 100))) {
            collector.awaitKeys(
                    List.of("a", "b"), InferenceResult::inferenceId, Duration.ofSeconds(10));

            assertThatThrownBy(() -> collector.andNothingMoreFor(Duration.ofSeconds(1)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("after 2 results")
                    .hasMessageContaining("the model container crashed")
                    .hasCause(JOB_FAILED);
        }
    }

    @Test
    void aJobStillRunningQuietlyPassesTheQuietWatchWithEverythingSeen() throws Exception {
        try (ResultCollector<String> collector =
                new ResultCollector<>(ScriptedIterator.open(List.of(result("a"))))) {
            collector.awaitKeys(List.of("a"), InferenceResult::inferenceId, Duration.ofSeconds(10));

            assertThat(collector.andNothingMoreFor(Duration.ofMillis(100)))
                    .extracting(InferenceResult::inferenceId)
                    .containsExactly("a");
        }
    }

    @Test
    void aJobFailingBeforeAnExpectedResultFailsTheWaitNamingTheMissingAndTheFailure()
            throws Exception {
        try (ResultCollector<String> collector =
                new ResultCollector<>(
                        ScriptedIterator.failing(List.of(result("a")), JOB_FAILED, 0))) {
            assertThatThrownBy(
                            () ->
                                    collector.awaitKeys(
                                            List.of("a", "b", "c"),
                                            InferenceResult::inferenceId,
                                            Duration.ofSeconds(10)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("2 results arrived: [b, c]")
                    .hasMessageContaining("the model container crashed")
                    .hasCause(JOB_FAILED);
        }
    }
}
