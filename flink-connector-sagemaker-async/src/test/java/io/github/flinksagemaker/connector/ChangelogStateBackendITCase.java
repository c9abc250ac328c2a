package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.Jobs;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalNotifications;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pipeline on Flink's changelog state backend over RocksDB with incremental checkpoints, which
 * docs/results.md recommends when many inferences are pending: there a checkpoint is the state
 * changes since the last one, and the state itself is materialized now and then. A failover after a
 * materialization restores the pending inferences from both parts, and every element still gets
 * exactly one correct result.
 */
class ChangelogStateBackendITCase {
    private static final String ENDPOINT = "changelog";
    private static final int PARALLELISM = 2;
    private static final int ELEMENTS = 1_500;
    private static final int ELEMENTS_PER_SECOND = 60;

    /**
     * Results to wait for before the failover is set off: by then the join's state holds answered
     * inferences as well as pending ones.
     */
    private static final int FIRST_RESULTS = 50;

    private static final Duration STALL = Duration.ofSeconds(60);

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

    private static byte[] payload(String element) {
        return ("p" + element).getBytes(StandardCharsets.UTF_8);
    }

    /** Fails the job once, when the test says so. */
    private static final class FailingWhenTold implements MapFunction<String, String> {
        static final AtomicBoolean FAIL = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public String map(String element) throws Exception {
            if (FAIL.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("A failover for the test");
            }
            return element;
        }
    }

    private static StreamExecutionEnvironment changelogEnvironment(Path directory) {
        Configuration config = new Configuration();
        config.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        config.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        config.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                directory.resolve("checkpoints").toUri().toString());
        config.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
        config.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
        config.set(
                FsStateChangelogOptions.BASE_PATH,
                directory.resolve("changelog").toUri().toString());
        config.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, Duration.ofSeconds(1));
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        env.enableCheckpointing(500);
        return env;
    }

    @Test
    void aFailoverAfterAMaterializationRestoresEveryPendingInferenceAndAnswersEachElementOnce(
            @TempDir Path directory) throws Exception {
        String queue = LOCAL.local().createQueue(ENDPOINT);
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(ENDPOINT)
                                .maxConcurrentInvocations(256)
                                .model(new DigestModel())
                                // Seconds per inference: many are pending at the failover.
                                .faults(
                                        FaultInjection.builder()
                                                .latency(
                                                        Duration.ofSeconds(1),
                                                        Duration.ofSeconds(4))
                                                .build())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(ENDPOINT)
                                                .errorQueue(ENDPOINT)
                                                .build())
                                .build());
        List<String> elements = IntStream.range(0, ELEMENTS).mapToObj(i -> "element-" + i).toList();
        FailingWhenTold.FAIL.set(false);
        FailingWhenTold.FAILED.set(false);

        StreamExecutionEnvironment env = changelogEnvironment(directory);
        // Elements over 25 s, long after the failover is set off (after about 7 s here): they are
        // submitted across checkpoints and materializations, and one passes the failing map.
        DataStream<String> input =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        index -> elements.get(index.intValue()),
                                        elements.size(),
                                        RateLimiterStrategy.perSecond(ELEMENTS_PER_SECOND),
                                        Types.STRING),
                                WatermarkStrategy.noWatermarks(),
                                "elements")
                        .map(new FailingWhenTold())
                        .returns(Types.STRING);
        CloseableIterator<InferenceResult<String>> iterator =
                SageMakerAsyncInference.<String>builder()
                        .setAll(LOCAL.awsConfig())
                        .endpointName(ENDPOINT)
                        .outputPath(LOCAL.prefix(ENDPOINT, "output"))
                        .failurePath(LOCAL.prefix(ENDPOINT, "failure"))
                        .serializer(element -> SerializedRequest.of(payload(element)))
                        .inferenceIdExtractor(element -> element)
                        .sqsCompletion(queue)
                        .set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(1))
                        .build()
                        .apply(input)
                        .collectAsync();
        JobClient job = env.executeAsync("changelog failover");
        JobMetrics metrics = new JobMetrics(REPORTER, job.getJobID());
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            // Fails the job once the join's state, with answered and pending inferences in it,
            // was materialized on every subtask and a checkpoint started after that completed
            // (one more than any in flight): the restore reads both the materialized state and
            // the changelog.
            long until = System.nanoTime() + STALL.toNanos();
            long materializedAtFirstResults = -1;
            long checkpointsAtMaterialization = -1;
            while (true) {
                long materialized = joinMaterializations(metrics);
                long checkpoints = completedCheckpoints(metrics);
                assertThat(System.nanoTime())
                        .as(
                                "%d results, then a materialization of the join's state and a"
                                        + " checkpoint after it, within %s; got %d results, %d"
                                        + " materializations, %d checkpoints",
                                FIRST_RESULTS, STALL, collector.size(), materialized, checkpoints)
                        .isLessThan(until);
                if (materializedAtFirstResults < 0) {
                    if (collector.size() >= FIRST_RESULTS) {
                        materializedAtFirstResults = materialized;
                    }
                } else if (checkpointsAtMaterialization < 0) {
                    if (materialized >= materializedAtFirstResults + PARALLELISM) {
                        checkpointsAtMaterialization = checkpoints;
                    }
                } else if (checkpoints > checkpointsAtMaterialization + 1) {
                    break;
                }
                Thread.sleep(20);
            }
            FailingWhenTold.FAIL.set(true);
            long failoverUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!FailingWhenTold.FAILED.get()) {
                assertThat(System.nanoTime())
                        .as(
                                "an element reaching the failing map within 10 s of the failover"
                                        + " being set off (after %d results); none did, so the"
                                        + " input ran out before",
                                collector.size())
                        .isLessThan(failoverUntil);
                Thread.sleep(20);
            }
            collector.awaitKeys(elements, InferenceResult::element, STALL);
            results = collector.andNothingMoreFor(Duration.ofSeconds(3));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(metrics.counterSum("sagemakerAsync.restoredLooks"))
                .as("pending inferences came back from the restored state")
                .isPositive();
        assertThat(results)
                .as("exactly one result per element")
                .hasSize(ELEMENTS)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).as("%s", r).isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(r.output())
                                    .as("answered from its own payload: %s", r.element())
                                    .isEqualTo(DigestModel.digest(payload(r.element())));
                        });
    }

    private static long joinMaterializations(JobMetrics metrics) {
        return metrics.ofOperator("Join results by inference ID: " + ENDPOINT)
                .counterSum("ChangelogMaterialization.completedMaterialization");
    }

    private static long completedCheckpoints(JobMetrics metrics) {
        return metrics.gauges("numberOfCompletedCheckpoints").stream()
                .mapToLong(Long::longValue)
                .max()
                .orElse(0);
    }
}
