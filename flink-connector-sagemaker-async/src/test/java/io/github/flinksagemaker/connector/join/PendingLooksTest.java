package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.S3Errors;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.flinksagemaker.connector.join.JoinFixtures.SUBMIT;
import static io.github.flinksagemaker.connector.join.JoinFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Repeated looks (a drain) go on until the join no longer has the inference pending: a stale object
 * at its location does not end them, and an answered inference is not looked at again.
 */
class PendingLooksTest {
    private static final WatchConfig WATCH =
            WatchConfig.from(
                    new Configuration()
                            .set(AwsConfigOptions.AWS_REGION, "us-east-1")
                            .set(WatchOptions.OUTPUT_PATH, "s3://b/out")
                            .set(WatchOptions.FAILURE_PATH, "s3://b/failed"));
    private static final long REPEAT = 5_000L;

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final TestProcessingTimeService time = new TestProcessingTimeService();
    private final Map<String, PendingInference<String>> pending = new HashMap<>();
    private final List<String> handedOver = new ArrayList<>();

    /** A join that answers an inference only from an object that is not stale. */
    private final PendingLooks.Join<String> join =
            new PendingLooks.Join<>() {
                @Override
                public PendingInference<String> pendingOf(String inferenceId) {
                    return pending.get(inferenceId);
                }

                @Override
                public void found(String inferenceId, InferenceOutput output) {
                    handedOver.add(inferenceId + "@" + output.lastModifiedMillis());
                    if (!InferenceResultJoin.isStale(pending.get(inferenceId), output)) {
                        pending.remove(inferenceId);
                    }
                }
            };

    private final PendingLooks<String> looks =
            new PendingLooks<>(
                    join,
                    new ResultLocations(store, WATCH),
                    time,
                    new SimpleCounter(),
                    new SimpleCounter(),
                    REPEAT);

    private void advanceTo(long millis) throws Exception {
        for (long t = time.getCurrentProcessingTime(); t <= millis; t += PendingLooks.TICK_MILLIS) {
            time.setCurrentTime(t);
        }
    }

    @Test
    void aStaleObjectDoesNotEndTheLooksAndTheFreshOneAnswers() throws Exception {
        time.setCurrentTime(SUBMIT);
        pending.put("late", pending("late"));
        S3Location output = S3Location.parse("s3://b/out/late.out", "test");
        // Left by an earlier use of the ID, long before this submission.
        store.put(output, "old", SUBMIT - 10 * InferenceResultJoin.STALE_TOLERANCE_MILLIS);

        looks.lookAt(Set.of("late"));
        advanceTo(SUBMIT + 1_000);
        assertThat(handedOver).as("a stale object is no answer").isEmpty();
        assertThat(pending).containsKey("late");
        assertThat(looks.isDone()).as("the stale object ended nothing").isFalse();

        store.put(output, "{\"ok\":1}", SUBMIT + 2_000);
        advanceTo(SUBMIT + 1_000 + REPEAT + 1_000);
        assertThat(pending).as("answered by the fresh object").isEmpty();
        assertThat(looks.isDone()).isTrue();

        advanceTo(SUBMIT + 1_000 + 3 * REPEAT);
        assertThat(handedOver).as("not looked at once answered").hasSize(1);
    }

    /** A fault that dooms every look fails the job at once, not after each inference's tries. */
    @Test
    void aFatalFaultFailsTheLooksAtOnce() throws Exception {
        time.setCurrentTime(SUBMIT);
        pending.put("denied", pending("denied"));
        store.failFinds(
                S3Location.parse("s3://b/out/denied.out", "test"),
                S3Errors.of(403, "AccessDenied"));

        looks.lookAt(Set.of("denied"));
        assertThatThrownBy(() -> advanceTo(SUBMIT + 1_000))
                .isInstanceOf(FatalAwsException.class)
                .hasMessageContaining("s3://b/out/denied.out");
    }
}
