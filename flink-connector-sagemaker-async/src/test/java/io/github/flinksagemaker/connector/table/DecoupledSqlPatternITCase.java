package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalNotifications;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decoupled pattern in SQL: SAGEMAKER_SUBMIT_ASYNC returns the locations at once, the
 * sagemaker-async-results table watches them, and an interval join on location puts each request
 * together with its result.
 */
class DecoupledSqlPatternITCase {
    private static final String ENDPOINT = "sql-decoupled";
    private static final String NOTIFYING_ENDPOINT = "sql-decoupled-sqs";
    private static final String QUEUE = NOTIFYING_ENDPOINT + "-notifications";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static LocalSageMakerAsync local;

    @BeforeAll
    static void startLocalEndpoint() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        SqlTestSupport.register(local, ENDPOINT, new SentimentDemoModel());
        local.registerEndpoint(
                LocalEndpointConfig.builder(NOTIFYING_ENDPOINT)
                        .s3OutputPath(SqlTestSupport.outputPath(local, NOTIFYING_ENDPOINT))
                        .s3FailurePath(SqlTestSupport.failurePath(local, NOTIFYING_ENDPOINT))
                        .model(new SentimentDemoModel())
                        .notifications(
                                LocalNotifications.builder()
                                        .successQueue(QUEUE)
                                        .errorQueue(QUEUE)
                                        .build())
                        .build());
    }

    @AfterAll
    static void stopLocalEndpoint() throws Exception {
        local.close();
    }

    private static StreamTableEnvironment tableEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return StreamTableEnvironment.create(env);
    }

    private static Map<String, String> resultsOptions() {
        Map<String, String> options = new TreeMap<>(SqlTestSupport.options(local, ENDPOINT));
        options.keySet().removeIf(key -> key.startsWith("sagemaker."));
        options.put("connector", "sagemaker-async-results");
        options.put("sagemaker.watch.output-prefix", SqlTestSupport.outputPath(local, ENDPOINT));
        options.put("sagemaker.watch.failure-prefix", SqlTestSupport.failurePath(local, ENDPOINT));
        options.put("sagemaker.watch.discovery-interval", "200 ms");
        return options;
    }

    private static List<Tuple2<Integer, String>> requests() {
        List<Tuple2<Integer, String>> requests = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String payload =
                    i % 20 == 7
                            ? "not json " + i
                            : "{\"text\":\"" + (i % 2 == 0 ? "great" : "poor") + " #" + i + "\"}";
            requests.add(Tuple2.of(i, payload));
        }
        return requests;
    }

    /** The requests as a view, and SAGEMAKER_SUBMIT_ASYNC for {@code endpoint}. */
    private static StreamTableEnvironment submitting(
            List<Tuple2<Integer, String>> requests, String endpoint) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.createTemporaryView(
                "requests",
                tEnv.fromDataStream(
                                env.fromData(requests),
                                Schema.newBuilder()
                                        .columnByExpression("proc", "PROCTIME()")
                                        .build())
                        .as("id", "payload", "proc"));
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_SUBMIT_ASYNC",
                new SageMakerSubmitAsyncFunction(SqlTestSupport.options(local, endpoint)));
        return tEnv;
    }

    @Test
    void eachRequestJoinsExactlyOneResultOnLocation() throws Exception {
        List<Tuple2<Integer, String>> requests = requests();
        StreamTableEnvironment tEnv = submitting(requests, ENDPOINT);
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE results (\n"
                        + "  location STRING,\n"
                        + "  status STRING,\n"
                        + "  content STRING,\n"
                        + "  content_type STRING,\n"
                        + "  last_modified TIMESTAMP_LTZ(3) METADATA FROM 'last-modified',\n"
                        + "  proc AS PROCTIME()\n"
                        + ") WITH (\n"
                        + SqlTestSupport.withClause(resultsOptions())
                        + ")");

        List<Row> rows =
                SqlTestSupport.collectUnbounded(
                        tEnv.executeSql(
                                "WITH submitted AS (\n"
                                        + "  SELECT id, proc, SAGEMAKER_SUBMIT_ASYNC(payload) AS s"
                                        + " FROM requests)\n"
                                        + "SELECT q.id, q.s.inference_id, r.status, r.content,"
                                        + " r.last_modified\n"
                                        + "FROM submitted q\n"
                                        + "CROSS JOIN UNNEST(ARRAY[q.s.output_location,"
                                        + " q.s.failure_location]) AS l(location)\n"
                                        + "JOIN results r ON r.location = l.location\n"
                                        + "  AND r.proc BETWEEN q.proc - INTERVAL '1' MINUTE"
                                        + " AND q.proc + INTERVAL '10' MINUTE"),
                        requests.size(),
                        Duration.ofSeconds(2));

        assertOneCorrectRowPerRequest(requests, rows);
    }

    /**
     * In completion mode SQS the results table reads the endpoint's notifications, each row names
     * its inference, and the join is on the ID: no listing, no unnesting of locations.
     */
    @Test
    void eachRequestJoinsExactlyOneResultOnInferenceIdFromNotifications() throws Exception {
        List<Tuple2<Integer, String>> requests = requests();
        StreamTableEnvironment tEnv = submitting(requests, NOTIFYING_ENDPOINT);
        Map<String, String> options = new TreeMap<>(local.connectorAwsOptions());
        options.put("connector", "sagemaker-async-results");
        options.put("sagemaker.completion.mode", "SQS");
        options.put("sagemaker.completion.sqs.queue-url", local.createQueue(QUEUE));
        options.put("sagemaker.completion.sqs.wait-time", "1 s");
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE notified (\n"
                        + "  inference_id STRING,\n"
                        + "  status STRING,\n"
                        + "  content STRING,\n"
                        + "  last_modified TIMESTAMP_LTZ(3) METADATA FROM 'last-modified',\n"
                        + "  proc AS PROCTIME()\n"
                        + ") WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");
        long listsBefore = local.counters().s3Requests(S3Operation.LIST);

        List<Row> rows =
                SqlTestSupport.collectUnbounded(
                        tEnv.executeSql(
                                "WITH submitted AS (\n"
                                        + "  SELECT id, proc, SAGEMAKER_SUBMIT_ASYNC(payload) AS s"
                                        + " FROM requests)\n"
                                        + "SELECT q.id, q.s.inference_id, r.status, r.content,"
                                        + " r.last_modified\n"
                                        + "FROM submitted q\n"
                                        + "JOIN notified r ON r.inference_id = q.s.inference_id\n"
                                        + "  AND r.proc BETWEEN q.proc - INTERVAL '1' MINUTE"
                                        + " AND q.proc + INTERVAL '10' MINUTE"),
                        requests.size(),
                        Duration.ofSeconds(2));

        assertOneCorrectRowPerRequest(requests, rows);
        assertThat(local.counters().s3Requests(S3Operation.LIST) - listsBefore)
                .as("nothing listed")
                .isZero();
    }

    private static void assertOneCorrectRowPerRequest(
            List<Tuple2<Integer, String>> requests, List<Row> rows) {
        assertThat(SqlTestSupport.column(rows, 0))
                .as("each request joined exactly once, also 2 s after the last")
                .containsExactlyInAnyOrderElementsOf(SqlTestSupport.ids(requests.size()));
        Map<Integer, Row> byId = new HashMap<>();
        for (Row row : rows) {
            assertThat(byId.put((Integer) row.getField(0), row))
                    .as("a second result for request %s", row.getField(0))
                    .isNull();
        }
        assertThat(byId).hasSize(requests.size());
        for (Tuple2<Integer, String> request : requests) {
            Row row = byId.get(request.f0);
            assertThat((String) row.getField(1)).hasSize(36);
            assertThat(row.getField(4)).isNotNull();
            if (request.f1.startsWith("not json")) {
                assertThat(row.getField(2)).isEqualTo("FAILURE");
                assertThat((String) row.getField(3)).contains("could not parse the payload");
            } else {
                String text = request.f1.substring(9, request.f1.length() - 2);
                assertThat(row.getField(2)).isEqualTo("SUCCESS");
                assertThat(row.getField(3))
                        .isEqualTo(
                                new String(SentimentDemoModel.score(text), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Windows on {@code last_modified} are the objects' own times: one-second windows pinned to
     * each object's LastModified as S3 lists it (a bounded source ends with a maximal watermark, so
     * only the window starts can tell event time from anything else).
     */
    @Test
    void lastModifiedIsAnEventTimeColumn() throws Exception {
        String prefix = "s3://" + local.bucket() + "/event-time/output";
        Map<Instant, Long> expected = new TreeMap<>();
        try (S3AsyncClient s3 = LocalAwsConfig.s3Client(local)) {
            for (int i = 0; i < 3; i++) {
                String key = "event-time/output/" + i + ".out";
                s3.putObject(
                                r -> r.bucket(local.bucket()).key(key),
                                AsyncRequestBody.fromString("{\"n\":" + i + "}"))
                        .join();
                Thread.sleep(1_100);
            }
            s3.listObjectsV2(r -> r.bucket(local.bucket()).prefix("event-time/output/"))
                    .join()
                    .contents()
                    .forEach(
                            object ->
                                    expected.merge(
                                            object.lastModified().truncatedTo(ChronoUnit.SECONDS),
                                            1L,
                                            Long::sum));
        }
        assertThat(expected).as("three distinct seconds").hasSize(3);
        Map<String, String> options = resultsOptions();
        options.remove("sagemaker.watch.failure-prefix");
        options.put("sagemaker.watch.output-prefix", prefix);
        options.put("sagemaker.watch.bounded", "true");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE timed (\n"
                        + "  location STRING,\n"
                        + "  size BIGINT,\n"
                        + "  last_modified TIMESTAMP_LTZ(3) METADATA FROM 'last-modified',\n"
                        // Objects are read in no particular order (several at once per reader):
                        // the delay covers the 3 s the three objects span.
                        + "  WATERMARK FOR last_modified AS last_modified - INTERVAL '5' SECOND\n"
                        + ") WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");

        List<Row> windows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE("
                                        + "TABLE timed, DESCRIPTOR(last_modified),"
                                        + " INTERVAL '1' SECOND)) GROUP BY window_start,"
                                        + " window_end"));

        Map<Instant, Long> actual = new TreeMap<>();
        for (Row window : windows) {
            actual.put(
                    ((LocalDateTime) window.getField(0)).toInstant(ZoneOffset.UTC),
                    (Long) window.getField(1));
        }
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void theResultsTableNamesWhatIsWrongWithItsColumnsAndOptions() {
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options = resultsOptions();
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE wrong_column (location STRING, body STRING) WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM wrong_column"))
                .hasStackTraceContaining("Unknown column 'body'")
                .hasStackTraceContaining(
                        "[inference_id, location, status, content, content_type, size]");

        tEnv.executeSql(
                "CREATE TEMPORARY TABLE listed_ids (inference_id STRING) WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM listed_ids"))
                .hasStackTraceContaining(
                        "Column 'inference_id' of a 'sagemaker-async-results' table needs"
                                + " 'sagemaker.completion.mode' = 'SQS'");

        options.put("sagemaker.watch.discovery-intervall", "1 s");
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE typo (location STRING) WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM typo"))
                .hasStackTraceContaining("Did you mean 'sagemaker.watch.discovery-interval'");

        options.remove("sagemaker.watch.discovery-intervall");
        options.put("sagemaker.endpoint-name", ENDPOINT);
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE submit_option (location STRING) WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM submit_option"))
                .hasStackTraceContaining("Unsupported options")
                .hasStackTraceContaining("sagemaker.endpoint-name");
    }
}
