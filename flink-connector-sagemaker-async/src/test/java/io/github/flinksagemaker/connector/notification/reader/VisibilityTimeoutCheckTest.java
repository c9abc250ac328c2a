package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** When the visibility timeout is checked against the checkpoint interval, and what it says. */
class VisibilityTimeoutCheckTest {
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/results";
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private final FakeSqsQueue queue = new FakeSqsQueue();

    private VisibilityTimeoutCheck check(Configuration options, Duration checkpointInterval) {
        options.setString("aws.region", "us-east-1");
        options.set(CompletionOptions.SQS_QUEUE_URL, QUEUE);
        return new VisibilityTimeoutCheck(
                queue, SqsCompletionConfig.from(options, Set.of("reviews")), checkpointInterval);
    }

    @Test
    void readsTheQueuesVisibilityTimeoutOnlyOnce() {
        VisibilityTimeoutCheck check = check(new Configuration(), CHECKPOINT_INTERVAL);
        check.checkOnce();
        check.checkOnce();
        check.checkOnce();
        assertThat(queue.attributeRequests.get()).isOne();
    }

    /**
     * Only a warning depends on the answer: a denial, throttling or any other failure must not fail
     * the job (a receive that cannot work fails it on its own).
     */
    @ParameterizedTest
    @EnumSource(AwsErrorKind.class)
    void aFailureToReadTheQueuesTimeoutOnlySkipsTheCheck(AwsErrorKind kind) {
        queue.answerVisibilityTimeout(CompletableFuture.failedFuture(AwsErrorsOfKind.of(kind)));
        VisibilityTimeoutCheck check = check(new Configuration(), CHECKPOINT_INTERVAL);

        check.checkOnce();
        check.checkOnce();

        assertThat(queue.attributeRequests.get()).as("asked, once").isOne();
    }

    @Test
    void noGetQueueAttributesWhenItsAnswerCannotMatter() {
        check(new Configuration(), null).checkOnce();
        Configuration options = new Configuration();
        options.set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofMinutes(10));
        check(options, CHECKPOINT_INTERVAL).checkOnce();

        assertThat(queue.attributeRequests.get())
                .as("no checkpoints, or the timeout set by option")
                .isZero();
    }

    @Test
    void warnsWhenMessagesComeBackBeforeTheCheckpointThatDeletesThemCompletes() {
        Duration minute = Duration.ofMinutes(1);
        assertThat(VisibilityTimeoutCheck.warning(QUEUE, Duration.ofSeconds(30), null, minute))
                .contains(QUEUE)
                .contains("30 s")
                .contains("the queue's own")
                .contains("sagemaker.completion.sqs.visibility-timeout");
        assertThat(
                        VisibilityTimeoutCheck.warning(
                                QUEUE, Duration.ofMinutes(5), Duration.ofSeconds(20), minute))
                .as("the option overrides the queue's own")
                .contains("20 s")
                .contains("option 'sagemaker.completion.sqs.visibility-timeout'");
        assertThat(VisibilityTimeoutCheck.warning(QUEUE, Duration.ofSeconds(60), null, minute))
                .as("one emitted just after a barrier waits an interval and the checkpoint")
                .contains("1 min");
        assertThat(
                        VisibilityTimeoutCheck.warning(
                                QUEUE, Duration.ofMillis(1_500), null, Duration.ofMillis(800)))
                .as("sub-second intervals are not printed as 0 s")
                .contains("800 ms");
        assertThat(VisibilityTimeoutCheck.warning(QUEUE, Duration.ofMinutes(2), null, minute))
                .isNull();
        assertThat(VisibilityTimeoutCheck.warning(QUEUE, Duration.ofSeconds(1), null, null))
                .as("without checkpoints messages are deleted when emitted")
                .isNull();
    }
}
