package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the one-call API builds from its options: results in hourly time buckets unless told
 * otherwise, so that the watch source's listing cost does not grow with the history under the
 * output path; and the options and modes it refuses, each with a message naming the fix.
 */
class SageMakerAsyncInferenceLayoutTest {
    private static final long SUBMIT = Instant.parse("2026-11-25T13:45:00Z").toEpochMilli();

    private static SageMakerAsyncInference.Builder<String, String> builder() {
        return SageMakerAsyncInference.<String>builder()
                .endpointName("reviews")
                .region("eu-west-1")
                .outputPath("s3://bucket/async/output")
                .failurePath("s3://bucket/async/failure")
                .serializer(s -> SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void resultsGoToHourlyBucketsThatTheWatchSourceLists() {
        SageMakerAsyncInference<String, String> inference = builder().build();

        assertThat(inference.submitFunction().config().outputPathExtension(SUBMIT))
                .isEqualTo("results/2026/11/25/13");
        assertThat(inference.resultSource().config().timeBuckets()).isNotNull();
        assertThat(inference.resultSource().config().timeBuckets().render(SUBMIT))
                .isEqualTo("results/2026/11/25/13");
    }

    @Test
    void anExtensionWithoutPlaceholdersKeepsAFlatLayoutListedWhole() {
        SageMakerAsyncInference<String, String> inference =
                builder().set(SubmitOptions.OUTPUT_PATH_EXTENSION, "results").build();

        assertThat(inference.submitFunction().config().outputPathExtension(SUBMIT))
                .isEqualTo("results");
        assertThat(inference.resultSource().config().timeBuckets()).isNull();
    }

    @Test
    void deletingEverythingListedIsRefusedInFavourOfCleaningUpTheJobsOwnResults() {
        assertThatThrownBy(() -> builder().set(WatchOptions.DELETE_CONSUMED, true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sagemaker.watch.delete-consumed'")
                .hasMessageContaining("'sagemaker.join.cleanup'");
    }

    /** A watch that ends at its first empty listing would end before pending elements' results. */
    @Test
    void aBoundedWatchIsRefusedBecauseTheJobEndsByItself() {
        assertThatThrownBy(() -> builder().set(WatchOptions.BOUNDED, true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sagemaker.watch.bounded'")
                .hasMessageContaining("ends its result source by itself");
    }

    @Test
    void batchModeIsRefusedWhenTheJobIsBuiltNamingStreaming() {
        Configuration batch = new Configuration();
        batch.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(batch);
        DataStream<String> input = env.fromData("a", "b");

        assertThatThrownBy(() -> builder().build().apply(input))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'execution.runtime-mode' STREAMING")
                .hasMessageContaining("not BATCH");
    }

    /**
     * A result can reach the join up to the submit timeout before its pending record: a shorter
     * retention would drop it unanswered.
     */
    @Test
    void anUnmatchedOutputRetentionShorterThanTheSubmitTimeoutIsRefused() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .set(SubmitOptions.SUBMIT_TIMEOUT, Duration.ofMinutes(20))
                                        .set(
                                                JoinOptions.UNMATCHED_OUTPUT_RETENTION,
                                                Duration.ofMinutes(10))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Invalid value '10 min' for option"
                                + " 'sagemaker.join.unmatched-output-retention'")
                .hasMessageContaining("'sagemaker.submit.timeout' (20 min) plus 5 s");

        assertThatThrownBy(
                        () ->
                                builder()
                                        .set(
                                                JoinOptions.UNMATCHED_OUTPUT_RETENTION,
                                                SubmitOptions.SUBMIT_TIMEOUT.defaultValue())
                                        .build())
                .as("the margin is required too")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(
                        builder()
                                .set(
                                        JoinOptions.UNMATCHED_OUTPUT_RETENTION,
                                        SubmitOptions.SUBMIT_TIMEOUT
                                                .defaultValue()
                                                .plus(
                                                        SageMakerAsyncInference
                                                                .RETENTION_MARGIN_OVER_SUBMIT_TIMEOUT))
                                .build())
                .as("exactly the submit timeout plus the margin is enough")
                .isNotNull();
    }

    @Test
    void overlappingOutputAndFailurePathsAreRefused() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .outputPath("s3://bucket/async")
                                        .failurePath("s3://bucket/async/failure")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("overlap")
                .hasMessageContaining("s3://bucket/async/failure");
    }

    /** A queue option the notification source could not use fails the build, not the job. */
    @Test
    void aQueueNameInsteadOfItsUrlIsRefusedWhenTheInferenceIsBuilt() {
        assertThatThrownBy(() -> builder().sqsCompletion("results").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Invalid value 'results' for option 'sagemaker.completion.sqs.queue-url'");
    }
}
