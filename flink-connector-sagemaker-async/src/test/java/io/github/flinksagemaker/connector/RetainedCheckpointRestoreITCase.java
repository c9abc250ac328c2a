package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.testutils.CheckpointedCollectingSink;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalNotifications;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A restore from an older retained checkpoint in SQS completion mode with cleanup on. The job
 * deletes a notification once a checkpoint after it completes, so a restore from the second-newest
 * of the retained checkpoints never sees again the notifications consumed after it: the elements
 * they answered are pending in the restored state and must be answered by the join's look at their
 * own result locations right after the restore, from objects that cleanup kept because a retained
 * checkpoint might still need them. The result timeout is ten minutes, so no deadline look can
 * answer them within the test.
 */
class RetainedCheckpointRestoreITCase {
    private static final String ENDPOINT = "retained-restore";
    private static final int RETAINED_CHECKPOINTS = 3;
    private static final Duration STALL = Duration.ofSeconds(60);

    /** Far beyond the test: every answer must come from the restored look or a notification. */
    private static final Duration RESULT_TIMEOUT = Duration.ofMinutes(10);

    private static final Duration RESTORED_RESULTS_WITHIN = Duration.ofSeconds(60);

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(clusterConfiguration())
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    /** The JobManager takes the number of checkpoints to retain from the cluster's options. */
    private static Configuration clusterConfiguration() {
        Configuration config = REPORTER.addToConfiguration(new Configuration());
        config.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, RETAINED_CHECKPOINTS);
        return config;
    }

    private static String prefix(String part) {
        return LOCAL.prefix(ENDPOINT, part);
    }

    private static byte[] payload(String element) {
        return ("p" + element).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Retained checkpoints on disk, kept on cancellation, and the same number in the job's options,
     * where the tasks (and cleanup) read it.
     */
    private static StreamExecutionEnvironment environment(Path checkpoints, Configuration extra) {
        Configuration config = new Configuration(extra);
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        config.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        config.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, RETAINED_CHECKPOINTS);
        // A failure is the test's: it must not hide behind a restart.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    private static void pipeline(
            StreamExecutionEnvironment env,
            String queueUrl,
            List<String> elements,
            CheckpointedCollectingSink<InferenceResult<String>> sink) {
        SageMakerAsyncInference.<String>builder()
                .setAll(LOCAL.awsConfig())
                .endpointName(ENDPOINT)
                .outputPath(prefix("output"))
                .failurePath(prefix("failure"))
                .s3InputPrefix(prefix("input"))
                .serializer(element -> SerializedRequest.of(payload(element)))
                .inferenceIdExtractor(element -> element)
                .sqsCompletion(queueUrl)
                .set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(5))
                .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1))
                .set(SubmitOptions.RESULT_TIMEOUT, RESULT_TIMEOUT)
                .set(JoinOptions.CLEANUP, true)
                .uidPrefix(ENDPOINT)
                .build()
                .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                .sinkTo(sink)
                .uid(ENDPOINT + "-sink");
    }

    @Test
    void restoringTheSecondNewestRetainedCheckpointAnswersItsPendingElementsWithinAMinute(
            @TempDir Path checkpoints) throws Exception {
        String queueUrl = LOCAL.local().createQueue(ENDPOINT);
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(ENDPOINT)
                                .maxConcurrentInvocations(256)
                                .model(new DigestModel())
                                // Answers spread over seconds: some arrive between any two
                                // checkpoints.
                                .faults(
                                        FaultInjection.builder()
                                                .latency(
                                                        Duration.ofSeconds(1),
                                                        Duration.ofSeconds(6))
                                                .build())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(ENDPOINT)
                                                .errorQueue(ENDPOINT)
                                                .build())
                                .build());
        List<String> elements = IntStream.range(0, 240).mapToObj(i -> "element-" + i).toList();

        CheckpointedCollectingSink<InferenceResult<String>> firstResults =
                new CheckpointedCollectingSink<>(ENDPOINT + "-first");
        StreamExecutionEnvironment first = environment(checkpoints, new Configuration());
        pipeline(first, queueUrl, elements, firstResults);
        JobClient job = first.executeAsync("before the restore");
        JobMetrics firstMetrics = new JobMetrics(REPORTER, job.getJobID());
        try {
            // Stops right after a checkpoint completes, once 80 results are in and more
            // checkpoints completed than are retained (so the oldest retained is not the first).
            long until = System.nanoTime() + STALL.toNanos();
            long checkpointsSeen = completedCheckpoints(firstMetrics);
            while (true) {
                assertThat(System.nanoTime())
                        .as(
                                "80 results and %d checkpoints in time; got %d results, %d"
                                        + " checkpoints",
                                RETAINED_CHECKPOINTS + 1,
                                firstResults.collected().size(),
                                checkpointsSeen)
                        .isLessThan(until);
                failIfEnded(job);
                long checkpointsNow = completedCheckpoints(firstMetrics);
                if (checkpointsNow > checkpointsSeen
                        && checkpointsNow > RETAINED_CHECKPOINTS
                        && firstResults.collected().size() >= 80) {
                    break;
                }
                checkpointsSeen = checkpointsNow;
                Thread.sleep(20);
            }
            // Time for the deletes that checkpoint's completion started, well before the next.
            Thread.sleep(300);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }

        List<Path> retained = retainedCheckpoints(checkpoints.resolve(job.getJobID().toString()));
        assertThat(retained)
                .as("checkpoints kept after the cancel (state.checkpoints.num-retained)")
                .hasSize(RETAINED_CHECKPOINTS);
        Path restoredCheckpoint = retained.get(RETAINED_CHECKPOINTS - 2);
        long restoredId = checkpointId(restoredCheckpoint);
        long newestId = checkpointId(retained.get(RETAINED_CHECKPOINTS - 1));
        List<InferenceResult<String>> keptByRestore = firstResults.coveredBy(restoredId);
        Set<String> notificationsGone = ids(firstResults.coveredBy(newestId));
        notificationsGone.removeAll(ids(keptByRestore));
        assertThat(notificationsGone)
                .as(
                        "results emitted between the restored checkpoint %d and the newest %d:"
                                + " their notifications were deleted when %d completed, so only"
                                + " the restored look can answer them. None means the test"
                                + " proves nothing: answers must be spread wider.",
                        restoredId, newestId, newestId)
                .isNotEmpty();

        assertThat(firstMetrics.counterSum("sagemakerAsync.objectsDeleted"))
                .as(
                        "cleanup deleted what the oldest retained checkpoint covers: the newer"
                                + " results' objects stayed for the retention, not because"
                                + " nothing was deleted")
                .isPositive();

        Set<String> expectedAfterRestore = new TreeSet<>(elements);
        expectedAfterRestore.removeAll(ids(keptByRestore));
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, restoredCheckpoint.toUri().toString());
        StreamExecutionEnvironment second = environment(checkpoints, restore);
        CheckpointedCollectingSink<InferenceResult<String>> restoredResults =
                new CheckpointedCollectingSink<>(ENDPOINT + "-restored");
        pipeline(second, queueUrl, elements, restoredResults);
        long restoreStart = System.nanoTime();
        JobClient restored = second.executeAsync("restored from the second-newest checkpoint");
        JobMetrics metrics = new JobMetrics(REPORTER, restored.getJobID());
        try {
            awaitWithin(restored, restoredResults, expectedAfterRestore, restoreStart);
            // A duplicate would come right after the last expected result: keep watching.
            Thread.sleep(2_000);
        } finally {
            if (!restored.getJobStatus().get().isGloballyTerminalState()) {
                restored.cancel().get();
            }
        }

        List<InferenceResult<String>> all = new ArrayList<>(keptByRestore);
        all.addAll(restoredResults.collected());
        assertThat(all)
                .extracting(InferenceResult::inferenceId)
                .as("the restored checkpoint's results and the restored job's: each element once")
                .containsExactlyInAnyOrderElementsOf(elements);
        assertThat(all)
                .allSatisfy(
                        result -> {
                            assertThat(result.status())
                                    .as("%s", result)
                                    .isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(result.output())
                                    .isEqualTo(DigestModel.digest(payload(result.element())));
                        });
        JobMetrics join = metrics.ofOperator("Join results by inference ID: " + ENDPOINT);
        assertThat(join.counterSum("sagemakerAsync.restoredLooks"))
                .as("the join looked at the restored pending inferences' locations")
                .isPositive();
        assertThat(join.counterSum("sagemakerAsync.restoredLooksFound"))
                .as("and found results there")
                .isPositive();
        assertThat(metrics.counterSum("sagemakerAsync.resultsFoundAtDeadline")).isZero();
        assertThat(metrics.counterSum("sagemakerAsync.resultsTimedOut")).isZero();
    }

    /**
     * Waits until every expected element has a result from the restored job; fails naming the
     * missing ones once {@link #RESTORED_RESULTS_WITHIN} has passed since the restore, or at once
     * when the job ended.
     */
    private static void awaitWithin(
            JobClient job,
            CheckpointedCollectingSink<InferenceResult<String>> results,
            Set<String> expected,
            long restoreStart)
            throws Exception {
        long until = restoreStart + RESTORED_RESULTS_WITHIN.toNanos();
        while (true) {
            Set<String> missing = new TreeSet<>(expected);
            missing.removeAll(ids(results.collected()));
            if (missing.isEmpty()) {
                return;
            }
            failIfEnded(job);
            if (System.nanoTime() > until) {
                fail(
                        "%d elements got no result within %d s of the restore (their deadline"
                                + " is %d min away): %s",
                        missing.size(),
                        RESTORED_RESULTS_WITHIN.toSeconds(),
                        RESULT_TIMEOUT.toMinutes(),
                        missing);
            }
            Thread.sleep(50);
        }
    }

    /** Fails with the job's own failure when it ended, as neither run may end by itself. */
    private static void failIfEnded(JobClient job) throws Exception {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
            try {
                job.getJobExecutionResult().get();
            } catch (ExecutionException e) {
                throw new AssertionError("The job failed", e);
            }
            fail("The job ended by itself; it reads an unbounded queue");
        }
    }

    private static Set<String> ids(List<InferenceResult<String>> results) {
        return results.stream()
                .map(InferenceResult::inferenceId)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static long completedCheckpoints(JobMetrics metrics) {
        return metrics.gauges("numberOfCompletedCheckpoints").stream()
                .mapToLong(Long::longValue)
                .max()
                .orElse(0);
    }

    /** The completed checkpoints left in a job's checkpoint directory, oldest first. */
    private static List<Path> retainedCheckpoints(Path jobDirectory) throws IOException {
        try (Stream<Path> entries = Files.list(jobDirectory)) {
            return entries.filter(path -> path.getFileName().toString().matches("chk-\\d+"))
                    .filter(path -> Files.exists(path.resolve("_metadata")))
                    .sorted(Comparator.comparingLong(RetainedCheckpointRestoreITCase::checkpointId))
                    .toList();
        }
    }

    private static long checkpointId(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring("chk-".length()));
    }
}
