package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ML_PREDICT through a TaskManager failure, with default error handling: the job restarts from its
 * checkpoint and finishes, every row gets exactly one answer, and the endpoint counts one inference
 * per row plus the rows submitted again after the restore (those in flight or answered after the
 * last checkpoint; their waiting is not checkpointed).
 */
class SqlFailoverITCase {
    private static final int ROWS = 200;
    private static final int IN_FLIGHT = 20;
    private static final int PARALLELISM = 2;

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeAll
    static void registerEndpoints() {
        SqlTestSupport.register(LOCAL.local(), "sql-failover", new SentimentDemoModel());
        LOCAL.local()
                .setFaults(
                        "sql-failover",
                        FaultInjection.builder()
                                .latency(Duration.ofMillis(200), Duration.ofMillis(800))
                                .build());
    }

    @Test
    void everyRowGetsOneAnswerThroughATaskManagerFailure() throws Exception {
        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, PARALLELISM);
        try {
            Configuration config = new Configuration();
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
            config.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(500));
            // In the configuration, not only on the environment: the planner's collect sink is
            // exactly-once only when it sees checkpointing there.
            config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(config);
            StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
            // A source that checkpoints its position (fromValues does not, and replays all).
            List<Tuple2<Integer, String>> reviews = new ArrayList<>();
            for (int i = 0; i < ROWS; i++) {
                reviews.add(Tuple2.of(i, (i % 2 == 0 ? "great #" : "poor #") + i));
            }
            tEnv.createTemporaryView(
                    "reviews", tEnv.fromDataStream(env.fromData(reviews)).as("id", "text"));
            Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-failover");
            options.remove("sagemaker.result.timeout");
            options.put("provider", "sagemaker-async");
            tEnv.executeSql(
                    "CREATE TEMPORARY MODEL sentiment INPUT (text STRING)"
                            + " OUTPUT (label STRING, `error-status` STRING) WITH (\n"
                            + SqlTestSupport.withClause(options)
                            + ")");
            long before = LOCAL.counters().invocations(InvocationKind.INLINE);

            TableResult result =
                    tEnv.executeSql(
                            "SELECT id, label, `error-status` FROM ML_PREDICT(TABLE reviews,"
                                    + " MODEL sentiment, DESCRIPTOR(text), MAP["
                                    + "'max-concurrent-operations', '"
                                    + IN_FLIGHT
                                    + "', 'output-mode', 'allow_unordered'])");
            List<Row> rows = new CopyOnWriteArrayList<>();
            try (CloseableIterator<Row> iterator = result.collect()) {
                while (rows.size() < ROWS / 4 && iterator.hasNext()) {
                    rows.add(iterator.next());
                }
                cluster.terminateTaskManager(0).get();
                Thread.sleep(1_000);
                cluster.startTaskManager();
                iterator.forEachRemaining(rows::add);
            }

            assertThat(SqlTestSupport.column(rows, 0))
                    .as("every row exactly once, read to the end of the query")
                    .containsExactlyInAnyOrderElementsOf(SqlTestSupport.ids(ROWS));
            assertThat(SqlTestSupport.column(rows, 2))
                    .as("all answered by the model: no error-status")
                    .containsOnlyNulls();
            JobMetrics metrics = new JobMetrics(reporter, result.getJobClient().get().getJobID());
            assertThat(
                            metrics.gauges("numRestarts").stream()
                                    .mapToLong(Long::longValue)
                                    .max()
                                    .orElse(0))
                    .as("the job really restarted")
                    .isPositive();
            long invocations = LOCAL.counters().invocations(InvocationKind.INLINE) - before;
            assertThat(invocations)
                    .as(
                            "one per row, plus at most the rows in flight or answered since the last"
                                    + " checkpoint, submitted again after the restore")
                    .isBetween((long) ROWS, (long) ROWS + 4L * IN_FLIGHT * PARALLELISM);
        } finally {
            TestStreamEnvironment.unsetAsContext();
            cluster.close();
        }
    }
}
