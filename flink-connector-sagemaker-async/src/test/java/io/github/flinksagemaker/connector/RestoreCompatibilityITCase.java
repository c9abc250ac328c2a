package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.testutils.CollectingSink;
import io.github.flinksagemaker.connector.testutils.Completion;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.OutputFilenames;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.LocalModel;
import io.github.flinksagemaker.local.model.ModelRequest;
import io.github.flinksagemaker.local.model.ModelResponse;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.async.AsyncRequestBody;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * State formats are a promise: a savepoint of the one-call pipeline taken with an earlier version
 * of the connector (committed under {@code src/test/resources/savepoints}, never regenerated) must
 * restore and complete every element it held. Each savepoint holds pending inferences in the join,
 * their claims in the location tagger, an unclaimed output waiting there, answered IDs in their
 * duplicate window, IDs in use in the guard, and the watch source's enumerator state. A deliberate
 * format change adds a new savepoint (see {@link RestoreCompatibilitySavepointWriter}) beside the
 * old ones and this test restores all of them: {@code one-call-v1}; {@code one-call-v2} with
 * pending records in format 2 (compact IDs and locations); {@code one-call-v3} from the join as its
 * own operator (keyed element timestamps beside the pending records, no pending-count operator
 * state; this pipeline's elements carry no timestamps, so that state is empty). It also restores a
 * savepoint into a job calling an endpoint of another name: under the savepoint's uid prefix, as
 * docs/results.md says to move to a new endpoint, and not under the default uids.
 */
class RestoreCompatibilityITCase {
    static final String ENDPOINT = "restore-compat";
    static final String UID_PREFIX = "restore-compat";
    static final int ELEMENTS = 60;

    /** Elements from here on were still pending when the savepoint was taken. */
    static final int FIRST_PENDING = 10;

    /** RocksDB under Flink's changelog, as a state backend argument of the restore tests. */
    static final String ROCKSDB_WITH_CHANGELOG = "rocksdb with changelog";

    /** Where the changelog's storage writes, for the restores into it. */
    @TempDir static Path changelog;

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    static List<String> elements() {
        return IntStream.range(0, ELEMENTS).mapToObj(i -> "r-" + i).toList();
    }

    static byte[] payload(String element) {
        int i = Integer.parseInt(element.substring(2));
        return ((i < FIRST_PENDING ? "fast " : "slow ") + element).getBytes(StandardCharsets.UTF_8);
    }

    static String prefix(LocalSageMakerAsync local, String part) {
        return Completion.prefix(local, ENDPOINT, part);
    }

    /** The pipeline as it was when the savepoints were taken: its uids and options are frozen. */
    static void pipeline(
            StreamExecutionEnvironment env,
            LocalSageMakerAsync local,
            CollectingSink<InferenceResult<String>> sink) {
        pipeline(env, local, sink, ENDPOINT, UID_PREFIX, UnaryOperator.identity());
    }

    /**
     * The frozen pipeline with the savepoints' S3 paths, calling {@code endpoint}, its operators'
     * uids starting with {@code uidPrefix} (null: the default, derived from the endpoint name), and
     * what {@code change} sets.
     */
    static void pipeline(
            StreamExecutionEnvironment env,
            LocalSageMakerAsync local,
            CollectingSink<InferenceResult<String>> sink,
            String endpoint,
            String uidPrefix,
            UnaryOperator<SageMakerAsyncInference.Builder<String, String>> change) {
        SageMakerAsyncInference.Builder<String, String> builder =
                SageMakerAsyncInference.<String>builder()
                        .setAll(LocalAwsConfig.of(local))
                        .endpointName(endpoint)
                        .outputPath(prefix(local, "output"))
                        .failurePath(prefix(local, "failure"))
                        .s3InputPrefix(prefix(local, "input"))
                        .serializer(element -> SerializedRequest.of(payload(element)))
                        .inferenceIdExtractor(element -> element)
                        .set(SubmitOptions.OUTPUT_PATH_EXTENSION, "flat")
                        // Deadlines never pass, however old the savepoint: restored state must
                        // answer, not the look at the deadline.
                        .set(SubmitOptions.RESULT_TIMEOUT, Duration.ofDays(36_500))
                        .set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(200));
        if (uidPrefix != null) {
            builder.uidPrefix(uidPrefix);
        }
        change.apply(builder)
                .build()
                .apply(env.fromData(Types.STRING, elements().toArray(new String[0])))
                .sinkTo(sink)
                .uid(UID_PREFIX + "-sink");
    }

    /** Answers "fast" payloads with their digest at once; "slow" ones never, within a test. */
    static final class FastOrNeverModel implements LocalModel {
        @Override
        public ModelResponse invoke(ModelRequest request) throws Exception {
            if (new String(request.body(), StandardCharsets.UTF_8).startsWith("slow")) {
                Thread.sleep(Duration.ofHours(1).toMillis());
            }
            return ModelResponse.success(DigestModel.digest(request.body()), "text/plain");
        }
    }

    /**
     * Both state backends: the heap backend rewrites every restored record in the current format,
     * RocksDB keeps restored bytes as they are and decodes them on each later access. And RocksDB
     * under Flink's changelog, as a job that turns it on (docs/results.md) restores its savepoint.
     */
    @ParameterizedTest(name = "savepoint {0} into {1}")
    @CsvSource({
        "one-call-v1, hashmap",
        "one-call-v1, rocksdb",
        "one-call-v2, hashmap",
        "one-call-v2, rocksdb",
        "one-call-v3, hashmap",
        "one-call-v3, rocksdb",
        "one-call-v3, " + ROCKSDB_WITH_CHANGELOG
    })
    void aSavepointOfAnEarlierVersionRestoresAndCompletesEveryElementItHeld(
            String savepoint, String stateBackend) throws Exception {
        LOCAL.local()
                .registerEndpoint(LOCAL.endpointConfig(ENDPOINT).model(new DigestModel()).build());
        restoreAndCompleteEveryElementHeld(
                savepoint, stateBackend, ENDPOINT, false, UnaryOperator.identity());
    }

    /**
     * The recipe of docs/results.md for moving a job to an endpoint of another name: with the uid
     * prefix the savepoint was taken with, every operator finds its state (the restore would fail
     * on unmapped state otherwise), and the elements pending at the old endpoint complete from its
     * outputs, under the S3 paths the new endpoint shares.
     */
    @Test
    void aSavepointRestoresIntoAJobCallingAnotherEndpointUnderTheSameUidPrefix() throws Exception {
        String next = ENDPOINT + "-next";
        LOCAL.local()
                .registerEndpoint(
                        LocalEndpointConfig.builder(next)
                                .s3OutputPath(prefix(LOCAL.local(), "output"))
                                .s3FailurePath(prefix(LOCAL.local(), "failure"))
                                .model(new DigestModel())
                                .build());
        restoreAndCompleteEveryElementHeld(
                "one-call-v3", "hashmap", next, false, UnaryOperator.identity());
    }

    /**
     * Switching from listing to SQS notifications, as docs/results.md describes it: the restore
     * needs non-restored state allowed (the watch source's and the tagger's state have no operator
     * any more), and the join looks at every restored pending inference's locations at once.
     */
    @Test
    void aListingSavepointRestoresIntoSqsModeWithNonRestoredStateAllowed() throws Exception {
        LOCAL.local()
                .registerEndpoint(LOCAL.endpointConfig(ENDPOINT).model(new DigestModel()).build());
        String queue = LOCAL.local().createQueue(ENDPOINT);
        UnaryOperator<SageMakerAsyncInference.Builder<String, String>> sqs =
                builder ->
                        builder.sqsCompletion(queue)
                                .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1));

        StreamExecutionEnvironment refused = restoring("one-call-v3", "hashmap", false);
        pipeline(
                refused, LOCAL.local(), new CollectingSink<>("refused"), ENDPOINT, UID_PREFIX, sqs);
        assertThatThrownBy(() -> refused.executeAsync("refused").getJobExecutionResult().get())
                .as("the listing operators' state would be dropped silently")
                .hasStackTraceContaining("allowNonRestoredState");

        JobMetrics metrics =
                restoreAndCompleteEveryElementHeld("one-call-v3", "hashmap", ENDPOINT, true, sqs);
        assertThat(metrics.counterSum("sagemakerAsync.restoredLooksFound"))
                .as("every pending inference answered by the look at restore")
                .isEqualTo(ELEMENTS - FIRST_PENDING);
    }

    /**
     * Why the recipe is needed: without a uid prefix, the uids follow the new endpoint's name, and
     * the savepoint's state maps to no operator.
     */
    @Test
    void aSavepointDoesNotRestoreIntoAJobCallingAnotherEndpointUnderTheDefaultUids()
            throws Exception {
        StreamExecutionEnvironment env = restoring("one-call-v3", "hashmap", false);
        pipeline(
                env,
                LOCAL.local(),
                new CollectingSink<>("orphaned"),
                ENDPOINT + "-next",
                null,
                UnaryOperator.identity());

        assertThatThrownBy(() -> env.executeAsync("default uids").getJobExecutionResult().get())
                .hasStackTraceContaining("allowNonRestoredState");
    }

    /**
     * An environment that restores the committed savepoint {@code savepoint}, dropping state that
     * maps to no operator only if {@code allowNonRestoredState}.
     */
    private StreamExecutionEnvironment restoring(
            String savepoint, String stateBackend, boolean allowNonRestoredState)
            throws URISyntaxException {
        URL stored = getClass().getResource("/savepoints/" + savepoint);
        assertThat(stored).as("savepoint %s in the test resources", savepoint).isNotNull();
        Configuration restore = new Configuration();
        restore.set(
                StateRecoveryOptions.SAVEPOINT_PATH, Path.of(stored.toURI()).toUri().toString());
        if (stateBackend.equals(ROCKSDB_WITH_CHANGELOG)) {
            restore.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            restore.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
            restore.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
            restore.set(FsStateChangelogOptions.BASE_PATH, changelog.toUri().toString());
        } else {
            restore.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        }
        restore.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, allowNonRestoredState);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(restore);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    private JobMetrics restoreAndCompleteEveryElementHeld(
            String savepoint,
            String stateBackend,
            String endpoint,
            boolean allowNonRestoredState,
            UnaryOperator<SageMakerAsyncInference.Builder<String, String>> change)
            throws Exception {
        // The endpoint answered the pending inferences while the job was stopped.
        List<String> pending = elements().subList(FIRST_PENDING, ELEMENTS);
        for (String element : pending) {
            String key = ENDPOINT + "/output/flat/" + OutputFilenames.of(element);
            LOCAL.s3()
                    .putObject(
                            r -> r.bucket(LOCAL.bucket()).key(key),
                            AsyncRequestBody.fromBytes(DigestModel.digest(payload(element))))
                    .join();
        }
        StreamExecutionEnvironment env = restoring(savepoint, stateBackend, allowNonRestoredState);
        CollectingSink<InferenceResult<String>> sink =
                new CollectingSink<>("restored-" + savepoint + "-" + stateBackend);
        pipeline(env, LOCAL.local(), sink, endpoint, UID_PREFIX, change);
        JobClient job = env.executeAsync("restored from " + savepoint);
        try {
            long lastProgress = System.nanoTime();
            int seen = 0;
            while (sink.collected().size() < pending.size()) {
                if (job.getJobStatus().get() == JobStatus.FAILED) {
                    job.getJobExecutionResult().get(); // throws, with why (e.g. unmapped state)
                }
                if (sink.collected().size() > seen) {
                    seen = sink.collected().size();
                    lastProgress = System.nanoTime();
                }
                assertThat(System.nanoTime() - lastProgress)
                        .as("results stalled at %d of %d", seen, pending.size())
                        .isLessThan(Duration.ofSeconds(60).toNanos());
                Thread.sleep(50);
            }
            // The input is bounded: once every element has its result the job ends by itself,
            // and nothing answered before the savepoint, or foreign, may come meanwhile.
            CommonTestUtils.waitUtil(
                    () -> job.getJobStatus().join().isGloballyTerminalState(),
                    Duration.ofSeconds(30),
                    Duration.ofMillis(100),
                    "the restored bounded job did not finish within 30 s of its results");
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }

        assertThat(sink.collected())
                .extracting(InferenceResult::inferenceId)
                .containsExactlyInAnyOrderElementsOf(pending);
        assertThat(sink.collected())
                .allSatisfy(
                        result -> {
                            assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(result.element()).isEqualTo(result.inferenceId());
                            assertThat(result.output())
                                    .isEqualTo(DigestModel.digest(payload(result.element())));
                        });
        assertThat(LOCAL.counters().invocationsById())
                .as("nothing held in the savepoint was submitted again")
                .isEmpty();
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        assertThat(metrics.counterSum("sagemakerAsync.resultsFoundAtDeadline"))
                .as("answered through the restored claims and pending records")
                .isZero();
        assertThat(metrics.counterSum("sagemakerAsync.resultsSuccess")).isEqualTo(pending.size());
        return metrics;
    }
}
