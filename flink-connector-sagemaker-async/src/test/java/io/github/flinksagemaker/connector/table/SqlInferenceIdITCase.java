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
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQL rows that give their inference ID, against the local endpoint: through a TaskManager failure
 * that comes when every row is submitted and waiting, ML_PREDICT with {@code
 * sagemaker.inference-id.column} invokes each ID exactly once and answers every row once; without
 * the column, as before, every replayed row is invoked a second time. SAGEMAKER_SUBMIT_ASYNC run
 * again over the same rows returns their first submissions and invokes nothing.
 */
class SqlInferenceIdITCase {
    private static final int ROWS = 40;
    private static final int PARALLELISM = 2;
    private static final String PREDICT = "sql-inference-id";
    private static final String SUBMIT = "sql-inference-id-submit";

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeAll
    static void registerEndpoints() {
        SqlTestSupport.register(LOCAL.local(), PREDICT, new SentimentDemoModel());
        // Long enough that no row is answered before the failure, which comes once all are sent.
        LOCAL.local()
                .setFaults(
                        PREDICT,
                        FaultInjection.builder()
                                .latency(Duration.ofSeconds(4), Duration.ofSeconds(5))
                                .build());
        SqlTestSupport.register(LOCAL.local(), SUBMIT, new SentimentDemoModel());
    }

    @Test
    void withAnIdColumnNoRowIsInvokedTwiceThroughAFailoverAndEveryRowGetsItsResult()
            throws Exception {
        String prefix = "with-id-";
        Map<String, Long> before = LOCAL.counters().invocationsById();

        List<Row> rows =
                predictThroughAFailure(
                        prefix,
                        true,
                        () ->
                                countObjects(
                                        PREDICT + "/in/" + PREDICT + "/" + prefix, ".submitted"));

        assertThat(SqlTestSupport.column(rows, 0))
                .as("every row exactly once")
                .containsExactlyInAnyOrderElementsOf(ids(prefix));
        assertThat(SqlTestSupport.column(rows, 2)).as("no error-status").containsOnlyNulls();
        assertThat(SqlTestSupport.column(rows, 1)).doesNotContainNull();
        assertThat(SqlTestSupport.column(rows, 3))
                .as("the inference-id OUTPUT column is the row's own ID")
                .containsExactlyInAnyOrderElementsOf(ids(prefix));
        Map<String, Long> invoked =
                LOCAL.counters().invocationsById().entrySet().stream()
                        .filter(entry -> entry.getKey().startsWith(prefix))
                        .filter(entry -> !before.containsKey(entry.getKey()))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(new ArrayList<Object>(invoked.keySet()))
                .containsExactlyInAnyOrderElementsOf(ids(prefix));
        assertThat(invoked)
                .as("each ID invoked exactly once")
                .allSatisfy((id, n) -> assertThat(n).isEqualTo(1L));
    }

    @Test
    void withoutAnIdColumnEveryReplayedRowIsInvokedAgainAsBefore() throws Exception {
        String prefix = "without-id-";
        long before = LOCAL.counters().invocations(InvocationKind.INLINE);

        List<Row> rows =
                predictThroughAFailure(
                        prefix,
                        false,
                        () -> LOCAL.counters().invocations(InvocationKind.INLINE) - before);

        assertThat(SqlTestSupport.column(rows, 0))
                .as("every row exactly once")
                .containsExactlyInAnyOrderElementsOf(ids(prefix));
        assertThat(SqlTestSupport.column(rows, 2)).as("no error-status").containsOnlyNulls();
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE) - before)
                .as("every row was in flight at the failure and is invoked a second time")
                .isEqualTo(2L * ROWS);
    }

    @Test
    void submitAsyncRunAgainOverTheSameRowsReturnsTheirFirstSubmissionsWithoutInvoking()
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), SUBMIT);
        options.put("sagemaker.invoke.error-handling", "ERROR_STRING");
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_SUBMIT_ASYNC", new SageMakerSubmitAsyncFunction(options));
        // A view of a stream, not VALUES: the planner would fold a call on constants.
        tEnv.createTemporaryView(
                "submit_orders",
                tEnv.fromDataStream(
                                env.fromData(
                                        Tuple2.of("submit-1", "great"),
                                        Tuple2.of("submit-2", "poor"),
                                        Tuple2.of("x".repeat(65), "fine")))
                        .as("order_id", "text"));
        String query =
                "SELECT order_id, s.inference_id, s.output_location, s.failure_location, s.error"
                        + " FROM (SELECT order_id, SAGEMAKER_SUBMIT_ASYNC(text,"
                        + " 'text/plain', order_id) AS s FROM submit_orders)";
        long before = LOCAL.counters().invocations(InvocationKind.INLINE);

        List<Row> first = SqlTestSupport.collectAll(tEnv.executeSql(query));
        long afterFirst = LOCAL.counters().invocations(InvocationKind.INLINE);
        List<Row> again = SqlTestSupport.collectAll(tEnv.executeSql(query));

        assertThat(afterFirst - before).as("the two valid IDs").isEqualTo(2);
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE))
                .as("nothing invoked the second time")
                .isEqualTo(afterFirst);
        assertThat(again).containsExactlyInAnyOrderElementsOf(first);
        Row accepted =
                first.stream().filter(r -> "submit-1".equals(r.getField(0))).findFirst().get();
        assertThat(accepted.getField(1)).isEqualTo("submit-1");
        assertThat((String) accepted.getField(2))
                .startsWith(SqlTestSupport.outputPath(LOCAL.local(), SUBMIT) + "/");
        assertThat(accepted.getField(4)).isNull();
        Row invalid =
                first.stream()
                        .filter(r -> ((String) r.getField(0)).length() == 65)
                        .findFirst()
                        .get();
        assertThat(invalid.getField(2)).isNull();
        assertThat((String) invalid.getField(4))
                .isEqualTo(
                        "SAGEMAKER_ERROR REJECTED: INVALID_INFERENCE_ID: the inference ID has 65"
                                + " characters, at most 64 allowed");
    }

    @Test
    void aBadIdColumnOrAMissingInputPrefixIsRefusedWhenPlannedNamingTheOption() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.createTemporaryView(
                "bad_orders",
                tEnv.fromDataStream(env.fromData(Tuple2.of("order-1", "great")))
                        .as("order_id", "text"));
        tEnv.createTemporaryView(
                "bad_int_orders",
                tEnv.fromDataStream(env.fromData(Tuple2.of(1, "great"))).as("order_id", "text"));
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), SUBMIT);
        options.put("provider", "sagemaker-async");

        assertThatThrownBy(() -> predictWith(tEnv, options, "order_id STRING, text STRING", "id"))
                .hasStackTraceContaining(
                        "Option 'sagemaker.inference-id.column' = 'id' names no INPUT column;"
                                + " the model has (order_id STRING, text STRING)");
        assertThatThrownBy(
                        () -> predictWith(tEnv, options, "order_id INT, text STRING", "order_id"))
                .hasStackTraceContaining(
                        "Option 'sagemaker.inference-id.column' names INPUT column 'order_id' of"
                                + " type INT; it must be STRING");
        assertThatThrownBy(() -> predictWith(tEnv, options, "order_id STRING", "order_id"))
                .hasStackTraceContaining(
                        "Option 'sagemaker.inference-id.column' names the only INPUT column"
                                + " 'order_id'");
        Map<String, String> noPrefix = new java.util.TreeMap<>(options);
        noPrefix.remove("sagemaker.s3.input-prefix");
        assertThatThrownBy(
                        () ->
                                predictWith(
                                        tEnv, noPrefix, "order_id STRING, text STRING", "order_id"))
                .hasStackTraceContaining(
                        "Option 'sagemaker.inference-id.column' needs option"
                                + " 'sagemaker.s3.input-prefix'");

        noPrefix.remove("provider");
        tEnv.createTemporarySystemFunction(
                "SUBMIT_WITHOUT_PREFIX", new SageMakerSubmitAsyncFunction(noPrefix));
        assertThatThrownBy(
                        () ->
                                tEnv.executeSql(
                                        "SELECT SUBMIT_WITHOUT_PREFIX(text, 'text/plain', order_id)"
                                                + " FROM bad_orders"))
                .hasStackTraceContaining(
                        "A row that gives its inference ID needs option"
                                + " 'sagemaker.s3.input-prefix'");
        noPrefix.put("sagemaker.inference-id.column", "order_id");
        assertThatThrownBy(() -> new SageMakerSubmitAsyncFunction(noPrefix))
                .hasMessageStartingWith(
                        "Option 'sagemaker.inference-id.column' is for ML_PREDICT models; the SQL"
                                + " functions take the inference ID as their third argument");
    }

    private static int models;

    private static void predictWith(
            StreamTableEnvironment tEnv, Map<String, String> options, String input, String column) {
        Map<String, String> withColumn = new java.util.TreeMap<>(options);
        withColumn.put("sagemaker.inference-id.column", column);
        String model = "bad_model_" + models++;
        tEnv.executeSql(
                "CREATE TEMPORARY MODEL "
                        + model
                        + " INPUT ("
                        + input
                        + ") OUTPUT (label STRING) WITH (\n"
                        + SqlTestSupport.withClause(withColumn)
                        + ")");
        tEnv.executeSql(
                "SELECT order_id, label FROM ML_PREDICT(TABLE "
                        + (input.contains("INT") ? "bad_int_orders" : "bad_orders")
                        + ", MODEL "
                        + model
                        + ", DESCRIPTOR("
                        + (input.contains("text") ? "order_id, text" : "order_id")
                        + "))");
    }

    private static List<Object> ids(String prefix) {
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    /** Objects under {@code keyPrefix} in the local bucket whose key ends with {@code suffix}. */
    private static long countObjects(String keyPrefix, String suffix) {
        return LOCAL
                .s3()
                .listObjectsV2(
                        ListObjectsV2Request.builder()
                                .bucket(LOCAL.bucket())
                                .prefix(keyPrefix)
                                .build())
                .join()
                .contents()
                .stream()
                .filter(object -> object.key().endsWith(suffix))
                .count();
    }

    /**
     * Runs ML_PREDICT over {@link #ROWS} rows whose IDs start with {@code prefix}, kills the
     * TaskManager once {@code submitted} reaches {@link #ROWS}, while every row waits for its
     * result, restarts it and returns every row of the query: (order_id, label, error-status,
     * inference-id).
     */
    private static List<Row> predictThroughAFailure(
            String prefix, boolean idColumn, LongSupplier submitted) throws Exception {
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
            // In the configuration: the planner's collect sink is exactly-once only then.
            config.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(config);
            StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
            List<Tuple2<String, String>> orders = new ArrayList<>();
            for (int i = 0; i < ROWS; i++) {
                orders.add(Tuple2.of(prefix + i, (i % 2 == 0 ? "great #" : "poor #") + i));
            }
            tEnv.createTemporaryView(
                    "orders", tEnv.fromDataStream(env.fromData(orders)).as("order_id", "text"));
            Map<String, String> options = SqlTestSupport.options(LOCAL.local(), PREDICT);
            options.remove("sagemaker.result.timeout");
            options.put("provider", "sagemaker-async");
            if (idColumn) {
                options.put("sagemaker.inference-id.column", "order_id");
            }
            String model = idColumn ? "with_id" : "without_id";
            tEnv.executeSql(
                    "CREATE TEMPORARY MODEL "
                            + model
                            + (idColumn
                                    ? " INPUT (order_id STRING, text STRING)"
                                    : " INPUT (text STRING)")
                            + " OUTPUT (label STRING, `error-status` STRING, `inference-id` STRING)"
                            + " WITH (\n"
                            + SqlTestSupport.withClause(options)
                            + ")");
            TableResult result =
                    tEnv.executeSql(
                            "SELECT order_id, label, `error-status`, `inference-id` FROM"
                                    + " ML_PREDICT(TABLE orders, MODEL "
                                    + model
                                    + ", DESCRIPTOR("
                                    + (idColumn ? "order_id, text" : "text")
                                    + "), MAP['max-concurrent-operations', '"
                                    + ROWS
                                    + "', 'output-mode', 'allow_unordered'])");
            List<Row> rows = new CopyOnWriteArrayList<>();
            try (CloseableIterator<Row> iterator = result.collect()) {
                long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (submitted.getAsLong() < ROWS) {
                    assertThat(System.nanoTime()).as("all rows submitted").isLessThan(until);
                    Thread.sleep(20);
                }
                cluster.terminateTaskManager(0).get();
                Thread.sleep(500);
                cluster.startTaskManager();
                iterator.forEachRemaining(rows::add);
            }
            JobMetrics metrics = new JobMetrics(reporter, result.getJobClient().get().getJobID());
            assertThat(
                            metrics.gauges("numRestarts").stream()
                                    .mapToLong(Long::longValue)
                                    .max()
                                    .orElse(0))
                    .as("the job really restarted")
                    .isPositive();
            assertThat(metrics.counterSum("sagemakerAsync.submissionsReused"))
                    .as("rows answered by their first submission after the restart")
                    .isEqualTo(idColumn ? ROWS : 0);
            return rows;
        } finally {
            TestStreamEnvironment.unsetAsContext();
            cluster.close();
        }
    }
}
