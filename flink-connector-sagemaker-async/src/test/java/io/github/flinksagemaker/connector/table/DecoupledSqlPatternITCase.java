package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.LocalCounters.SqsOperation;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalNotifications;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
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

    /** The results tables' event-time column and the processing time the joins are bounded by. */
    private static final String LAST_MODIFIED =
            "last_modified TIMESTAMP_LTZ(3) METADATA FROM 'last-modified'";

    private static final String PROC = "proc AS PROCTIME()";

    /** The decoupled join in completion mode SQS: on the inference ID, nothing unnested. */
    private static final String JOINED_ON_ID =
            "JOIN notified r ON r.inference_id = q.s.inference_id";

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeAll
    static void registerEndpoints() {
        SqlTestSupport.register(LOCAL.local(), ENDPOINT, new SentimentDemoModel());
        LOCAL.local()
                .registerEndpoint(
                        LocalEndpointConfig.builder(NOTIFYING_ENDPOINT)
                                .s3OutputPath(
                                        SqlTestSupport.outputPath(
                                                LOCAL.local(), NOTIFYING_ENDPOINT))
                                .s3FailurePath(
                                        SqlTestSupport.failurePath(
                                                LOCAL.local(), NOTIFYING_ENDPOINT))
                                .model(new SentimentDemoModel())
                                .notifications(
                                        LocalNotifications.builder()
                                                .successQueue(QUEUE)
                                                .errorQueue(QUEUE)
                                                .build())
                                .build());
    }

    /**
     * The request counts tests assert on are the shared endpoint's: a closed query's job is
     * cancelled asynchronously, and an earlier test's listing job still running would be counted.
     */
    @BeforeEach
    void noJobOfAnEarlierTestRuns(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cluster.listJobs().get().stream()
                .anyMatch(job -> !job.getJobState().isGloballyTerminalState())) {
            assertThat(System.nanoTime())
                    .as("jobs of earlier tests still running: %s", cluster.listJobs().get())
                    .isLessThan(until);
            Thread.sleep(50);
        }
    }

    private static StreamTableEnvironment tableEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return StreamTableEnvironment.create(env);
    }

    private static Map<String, String> resultsOptions() {
        Map<String, String> options =
                new TreeMap<>(SqlTestSupport.options(LOCAL.local(), ENDPOINT));
        options.keySet().removeIf(key -> key.startsWith("sagemaker."));
        options.put("connector", "sagemaker-async-results");
        options.put("sagemaker.output-path", SqlTestSupport.outputPath(LOCAL.local(), ENDPOINT));
        options.put("sagemaker.failure-path", SqlTestSupport.failurePath(LOCAL.local(), ENDPOINT));
        options.put("sagemaker.watch.discovery-interval", "200 ms");
        return options;
    }

    /**
     * The results table's options in completion mode SQS, reading the notifying endpoint's queue.
     */
    private static Map<String, String> notificationOptions() {
        Map<String, String> options = new TreeMap<>(LOCAL.local().connectorAwsOptions());
        options.put("connector", "sagemaker-async-results");
        options.put("sagemaker.completion.mode", "SQS");
        options.put("sagemaker.completion.sqs.queue-url", LOCAL.local().createQueue(QUEUE));
        options.put("sagemaker.completion.sqs.wait-time", "1 s");
        return options;
    }

    /** {@code CREATE TEMPORARY TABLE name (columns...) WITH (options)}. */
    private static void createTable(
            StreamTableEnvironment tEnv,
            String name,
            Map<String, String> options,
            String... columns) {
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE "
                        + name
                        + " (\n  "
                        + String.join(",\n  ", columns)
                        + "\n) WITH (\n"
                        + SqlTestSupport.withClause(options)
                        + ")");
    }

    /**
     * Each request of the {@code requests} view submitted, joined with a row of the results table
     * {@code r} as {@code joinedOn} says, within the processing-time bounds every test uses; rows
     * of id, inference_id, status, content, last_modified, collected until {@code expected} came
     * and 2 s passed without more.
     */
    private static List<Row> submittedJoinedWithResults(
            StreamTableEnvironment tEnv, String joinedOn, int expected) throws Exception {
        return SqlTestSupport.collectUnbounded(
                tEnv.executeSql(
                        "WITH submitted AS (\n"
                                + "  SELECT id, proc, SAGEMAKER_SUBMIT_ASYNC(payload) AS s"
                                + " FROM requests)\n"
                                + "SELECT q.id, q.s.inference_id, r.status, r.content,"
                                + " r.last_modified\n"
                                + "FROM submitted q\n"
                                + joinedOn
                                + "\n  AND r.proc BETWEEN q.proc - INTERVAL '1' MINUTE"
                                + " AND q.proc + INTERVAL '10' MINUTE"),
                expected,
                Duration.ofSeconds(2));
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
                new SageMakerSubmitAsyncFunction(SqlTestSupport.options(LOCAL.local(), endpoint)));
        return tEnv;
    }

    /**
     * The results table's credentials are spelt as in a Kinesis table's DDL, so its S3 listing
     * signs with them; the other tests use the DataStream spelling.
     */
    @Test
    void eachRequestJoinsExactlyOneResultOnLocation() throws Exception {
        List<Tuple2<Integer, String>> requests = requests();
        StreamTableEnvironment tEnv = submitting(requests, ENDPOINT);
        createTable(
                tEnv,
                "results",
                SqlTestSupport.inTableSpelling(resultsOptions()),
                "location STRING",
                "status STRING",
                "content STRING",
                "content_type STRING",
                LAST_MODIFIED,
                PROC);

        List<Row> rows =
                submittedJoinedWithResults(
                        tEnv,
                        "CROSS JOIN UNNEST(ARRAY[q.s.output_location, q.s.failure_location])"
                                + " AS l(location)\n"
                                + "JOIN results r ON r.location = l.location",
                        requests.size());

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
        createNotifiedTable(tEnv);
        long listsBefore = LOCAL.counters().s3Requests(S3Operation.LIST);
        long deletesBefore = sqsDeletes();

        List<Row> rows = submittedJoinedWithResults(tEnv, JOINED_ON_ID, requests.size());

        assertOneCorrectRowPerRequest(requests, rows);
        assertThat(LOCAL.counters().s3Requests(S3Operation.LIST) - listsBefore)
                .as("nothing listed")
                .isZero();
        assertThat(sqsDeletes() - deletesBefore)
                .as("without checkpointing, each message deleted as its row is emitted")
                .isPositive();
    }

    /**
     * Checkpointing set in the table configuration after the table was declared (as {@code SET}
     * would): the readers find it in the running job's configuration and keep every message they
     * emitted until the checkpoint covering it; none completes here (an hour away, pinned by the
     * minimum pause), so the queue must hold all of them in flight, none deleted.
     */
    @Test
    void withCheckpointingNotificationsStayInTheQueueUntilTheirCheckpoint() throws Exception {
        String queueUrl = LOCAL.local().createQueue("sql-checkpointed-notifications");
        int messages = 10;
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options = notificationOptions();
        options.put("sagemaker.completion.sqs.queue-url", queueUrl);
        options.put("sagemaker.completion.sqs.visibility-timeout", "10 min");
        createNotifiedTable(tEnv, options);
        tEnv.executeSql(
                "CREATE TEMPORARY TABLE nowhere (inference_id STRING, status STRING)"
                        + " WITH ('connector' = 'blackhole')");
        tEnv.getConfig().set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofHours(1));
        tEnv.getConfig()
                .set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofHours(1));
        long deletesBefore = sqsDeletes();

        SqsAsyncClient sqs = LOCAL.sqs();
        for (int i = 0; i < messages; i++) {
            String id = "held-" + i;
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(notification(id))).join();
        }
        TableResult job =
                tEnv.executeSql("INSERT INTO nowhere SELECT inference_id, status FROM notified");
        try {
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!inFlight(sqs, queueUrl).equals(List.of(0, messages))) {
                assertThat(System.nanoTime())
                        .as("all %d messages received: %s", messages, inFlight(sqs, queueUrl))
                        .isLessThan(until);
                Thread.sleep(100);
            }
            // A reader deleting on emission would have deleted them right after receiving.
            Thread.sleep(2_000);
            assertThat(inFlight(sqs, queueUrl))
                    .as("visible, in flight")
                    .containsExactly(0, messages);
        } finally {
            job.getJobClient().orElseThrow().cancel().get();
        }
        assertThat(sqsDeletes() - deletesBefore).as("nothing deleted before a checkpoint").isZero();
    }

    /** A raw SageMaker success notification that includes its response. */
    private static String notification(String inferenceId) {
        return "{\"invocationStatus\":\"Completed\",\"inferenceId\":\""
                + inferenceId
                + "\",\"eventTime\":\""
                + Instant.now()
                + "\",\"requestParameters\":{\"endpointName\":\""
                + NOTIFYING_ENDPOINT
                + "\"},\"responseParameters\":{\"contentType\":\"application/json\","
                + "\"outputLocation\":\"s3://bucket/out/"
                + inferenceId
                + ".out\"},\"responseBody\":{\"encoding\":\"BASE64\",\"content\":\""
                + Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8))
                + "\"}}";
    }

    /** The queue's visible messages and its messages in flight (received, not deleted). */
    private static List<Integer> inFlight(SqsAsyncClient sqs, String queueUrl) {
        Map<QueueAttributeName, String> attributes =
                sqs.getQueueAttributes(
                                r ->
                                        r.queueUrl(queueUrl)
                                                .attributeNames(
                                                        QueueAttributeName
                                                                .APPROXIMATE_NUMBER_OF_MESSAGES,
                                                        QueueAttributeName
                                                                .APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                        .join()
                        .attributes();
        return List.of(
                Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)),
                Integer.parseInt(
                        attributes.get(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)));
    }

    private static long sqsDeletes() {
        return LOCAL.counters().sqsRequests(SqsOperation.DELETE_MESSAGE)
                + LOCAL.counters().sqsRequests(SqsOperation.DELETE_MESSAGE_BATCH);
    }

    /** The results table {@code notified} over the notifying endpoint's queue. */
    private static void createNotifiedTable(StreamTableEnvironment tEnv) {
        createNotifiedTable(tEnv, notificationOptions());
    }

    private static void createNotifiedTable(
            StreamTableEnvironment tEnv, Map<String, String> options) {
        createTable(
                tEnv,
                "notified",
                options,
                "inference_id STRING",
                "status STRING",
                "content STRING",
                LAST_MODIFIED,
                PROC);
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
                assertThat(row.getField(2)).isEqualTo("MODEL_ERROR");
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
        String prefix = "s3://" + LOCAL.bucket() + "/event-time/output";
        Map<Instant, Long> expected = new TreeMap<>();
        S3AsyncClient s3 = LOCAL.s3();
        for (int i = 0; i < 3; i++) {
            String key = "event-time/output/" + i + ".out";
            s3.putObject(
                            r -> r.bucket(LOCAL.bucket()).key(key),
                            AsyncRequestBody.fromString("{\"n\":" + i + "}"))
                    .join();
            Thread.sleep(1_100);
        }
        s3.listObjectsV2(r -> r.bucket(LOCAL.bucket()).prefix("event-time/output/"))
                .join()
                .contents()
                .forEach(
                        object ->
                                expected.merge(
                                        object.lastModified().truncatedTo(ChronoUnit.SECONDS),
                                        1L,
                                        Long::sum));
        assertThat(expected).as("three distinct seconds").hasSize(3);
        Map<String, String> options = resultsOptions();
        options.remove("sagemaker.failure-path");
        options.put("sagemaker.output-path", prefix);
        options.put("sagemaker.watch.bounded", "true");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        createTable(
                tEnv,
                "timed",
                options,
                "location STRING",
                "size BIGINT",
                LAST_MODIFIED,
                // Objects are read in no particular order (several at once per reader): the delay
                // covers the 3 s the three objects span.
                "WATERMARK FOR last_modified AS last_modified - INTERVAL '5' SECOND");

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

    /** A table declared before the paths were renamed still plans, and lists the same paths. */
    @Test
    void theResultsTableStillReadsTheFormerPathKeys() {
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options = resultsOptions();
        options.put("sagemaker.watch.output-prefix", options.remove("sagemaker.output-path"));
        options.put("sagemaker.watch.failure-prefix", options.remove("sagemaker.failure-path"));
        createTable(tEnv, "former_keys", options, "location STRING", "status STRING");
        assertThat(tEnv.explainSql("SELECT location, status FROM former_keys"))
                .contains("former_keys");

        options.remove("sagemaker.watch.output-prefix");
        options.remove("sagemaker.watch.failure-prefix");
        createTable(tEnv, "no_paths", options, "location STRING");
        assertThatThrownBy(() -> tEnv.explainSql("SELECT location FROM no_paths"))
                .hasStackTraceContaining("'sagemaker.output-path' or 'sagemaker.failure-path'");
    }

    @Test
    void theResultsTableNamesWhatIsWrongWithItsColumnsAndOptions() {
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options = resultsOptions();
        createTable(tEnv, "wrong_column", options, "location STRING", "body STRING");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM wrong_column"))
                .hasStackTraceContaining("Unknown column 'body'")
                .hasStackTraceContaining(
                        "[inference_id, location, status, content, content_type, size]");

        createTable(tEnv, "listed_ids", options, "inference_id STRING");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM listed_ids"))
                .hasStackTraceContaining(
                        "Column 'inference_id' of a 'sagemaker-async-results' table needs"
                                + " 'sagemaker.completion.mode' = 'SQS'");

        options.put("sagemaker.watch.discovery-intervall", "1 s");
        createTable(tEnv, "typo", options, "location STRING");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM typo"))
                .hasStackTraceContaining("Did you mean 'sagemaker.watch.discovery-interval'");

        options.remove("sagemaker.watch.discovery-intervall");
        options.put("aws.credentials.basic.secretkey", "another-secret");
        createTable(tEnv, "both_spellings", options, "location STRING");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM both_spellings"))
                .hasStackTraceContaining(
                        "Options 'aws.credentials.basic.secretkey' and"
                                + " 'aws.credentials.provider.basic.secretkey' are one option in"
                                + " two spellings")
                .satisfies(
                        e ->
                                assertThat(ExceptionUtils.stringifyException(e))
                                        .doesNotContain("another-secret"));

        options.remove("aws.credentials.basic.secretkey");
        options.put("aws.credentials.basic.accesskeyId", "AKID");
        createTable(tEnv, "credentials_typo", options, "location STRING");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM credentials_typo"))
                .hasStackTraceContaining("Did you mean 'aws.credentials.basic.accesskeyid'");

        options.remove("aws.credentials.basic.accesskeyId");
        options.put("sagemaker.endpoint-name", ENDPOINT);
        createTable(tEnv, "submit_option", options, "location STRING");
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM submit_option"))
                .hasStackTraceContaining("Unsupported options")
                .hasStackTraceContaining("sagemaker.endpoint-name");
    }
}
