package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.Rejection;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.testutils.CommonTestUtils;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** SAGEMAKER_INVOKE_ASYNC in SQL on a MiniCluster against the local endpoint. */
class SageMakerInvokeAsyncFunctionITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeAll
    static void registerEndpoints() {
        SqlTestSupport.register(LOCAL.local(), "sql-invoke", new SentimentDemoModel());
    }

    /** Review texts: mostly small, two over the inline limit, one exactly at it. */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            texts.add(i % 3 == 0 ? "great value, love it " + i : "broken and slow, refund " + i);
        }
        texts.add("good ".repeat(30_000));
        texts.add("terrible ".repeat(20_000));
        String json = "{\"text\":\"\"}";
        texts.add("x".repeat(128_000 - json.length()));
        return texts;
    }

    private static String json(String text) {
        return "{\"text\":\"" + text + "\"}";
    }

    private static StreamTableEnvironment tableEnvironment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return StreamTableEnvironment.create(env);
    }

    private static Table requests(StreamTableEnvironment tEnv, List<String> payloads) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            rows.add(Row.of(i, payloads.get(i)));
        }
        return tEnv.fromValues(
                DataTypes.ROW(FIELD("id", DataTypes.INT()), FIELD("payload", DataTypes.STRING())),
                rows);
    }

    @Test
    void returnsTheModelOutputForEveryRowOfMixedSizes() throws Exception {
        List<String> texts = texts();
        List<String> payloads =
                texts.stream().map(SageMakerInvokeAsyncFunctionITCase::json).toList();
        assertThat(payloads.get(payloads.size() - 1)).hasSize(128_000);
        LOCAL.counters().reset();

        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_INVOKE_ASYNC",
                new SageMakerInvokeAsyncFunction(
                        SqlTestSupport.options(LOCAL.local(), "sql-invoke")));
        tEnv.createTemporaryView("requests", requests(tEnv, payloads));

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, SAGEMAKER_INVOKE_ASYNC(payload, 'application/json')"
                                        + " AS output FROM requests"));

        assertThat(SqlTestSupport.column(rows, 0))
                .containsExactlyInAnyOrderElementsOf(SqlTestSupport.ids(texts.size()));
        Map<Integer, String> outputs = new HashMap<>();
        rows.forEach(row -> outputs.put((Integer) row.getField(0), (String) row.getField(1)));
        for (int i = 0; i < texts.size(); i++) {
            assertThat(outputs.get(i))
                    .as("row %d", i)
                    .isEqualTo(
                            new String(
                                    SentimentDemoModel.score(texts.get(i)),
                                    StandardCharsets.UTF_8));
        }
        assertThat(LOCAL.counters().invocations(InvocationKind.INPUT_LOCATION)).isEqualTo(2);
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE)).isEqualTo(texts.size() - 2);
    }

    @Test
    void aModelErrorBecomesNullByDefaultOrTheErrorStringOrFailsTheJobWithoutItsText()
            throws Exception {
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_NULL", new SageMakerInvokeAsyncFunction(options));
        options.put("sagemaker.invoke.error-handling", "ERROR_STRING");
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_ERROR", new SageMakerInvokeAsyncFunction(options));
        options.put("sagemaker.invoke.error-handling", "FAIL");
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_FAIL", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView(
                "requests", requests(tEnv, List.of(json("good"), "not json", json("bad"))));

        Map<Object, Object> orError =
                byId(tEnv, "SELECT id, INVOKE_OR_ERROR(payload) FROM requests");
        Map<Object, Object> orNull = byId(tEnv, "SELECT id, INVOKE_OR_NULL(payload) FROM requests");
        assertThat(orError).containsOnlyKeys(0, 1, 2);
        assertThat(orNull).containsOnlyKeys(0, 1, 2);
        assertThat(orError.get(0))
                .isEqualTo(new String(SentimentDemoModel.score("good"), StandardCharsets.UTF_8));
        assertThat((String) orError.get(1))
                .startsWith("SAGEMAKER_ERROR MODEL_ERROR: ")
                .contains("could not parse the payload as JSON");
        assertThat(orNull.get(1)).as("NULL by default").isNull();
        assertThat(orNull.get(2)).isNotNull();

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collectAll(
                                        tEnv.executeSql(
                                                "SELECT INVOKE_OR_FAIL(payload) FROM requests")))
                .hasStackTraceContaining("SageMakerInferenceException")
                .hasStackTraceContaining("ended MODEL_ERROR: the model's error text")
                .satisfies(
                        failure ->
                                assertThat(stackTrace(failure))
                                        .as("the model's text (it may echo the input) stays out")
                                        .doesNotContain("could not parse the payload"));
    }

    /** A bounded query's second column by its first, read to the end; fails on a repeated id. */
    private static Map<Object, Object> byId(StreamTableEnvironment tEnv, String query)
            throws Exception {
        Map<Object, Object> values = new HashMap<>();
        for (Row row : SqlTestSupport.collectAll(tEnv.executeSql(query))) {
            assertThat(values.containsKey(row.getField(0)))
                    .as("a second row for id %s", row.getField(0))
                    .isFalse();
            values.put(row.getField(0), row.getField(1));
        }
        return values;
    }

    private static String stackTrace(Throwable failure) {
        java.io.StringWriter text = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(text));
        return text.toString();
    }

    @Test
    void nullAndEmptyPayloadsAreAnsweredWithoutAnyCall() throws Exception {
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_NULL", new SageMakerInvokeAsyncFunction(options));
        options.put("sagemaker.invoke.error-handling", "ERROR_STRING");
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_ERROR", new SageMakerInvokeAsyncFunction(options));
        List<String> payloads = new ArrayList<>();
        payloads.add(null);
        payloads.add("");
        tEnv.createTemporaryView("requests", requests(tEnv, payloads));
        LOCAL.counters().reset();

        // One async call per query: Flink 2.2 turns a NULL from the first of two async calls in
        // one projection into '' (seen here, not caused by the function).
        Map<Object, Object> orNull = byId(tEnv, "SELECT id, INVOKE_OR_NULL(payload) FROM requests");
        Map<Object, Object> orError =
                byId(tEnv, "SELECT id, INVOKE_OR_ERROR(payload) FROM requests");

        assertThat(orNull).containsOnlyKeys(0, 1);
        assertThat(orNull.get(0)).as("NULL in, NULL out").isNull();
        assertThat(orNull.get(1)).isNull();
        assertThat(orError.get(0)).as("NULL in, NULL out, also under ERROR_STRING").isNull();
        assertThat((String) orError.get(1))
                .startsWith("SAGEMAKER_ERROR REJECTED: SERIALIZATION_FAILED: Refusing an empty");
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE)).isZero();
        assertThat(LOCAL.counters().rejections(Rejection.VALIDATION)).isZero();
    }

    /**
     * A model slower than the planner's timeout, which the function reads when the planner
     * generates its call: the row becomes NULL (TIMED_OUT) just before it, instead of failing the
     * job; each request carried the row's time as its InvocationTimeout, so the endpoint gave up on
     * each too; and the planner's retries submitted nothing more.
     */
    @Test
    void aRowEndsBeforeThePlannersTimeoutWithNullAndTheServiceStopsToo() throws Exception {
        SqlTestSupport.register(LOCAL.local(), "sql-invoke-slow", new SentimentDemoModel());
        LOCAL.local()
                .setFaults(
                        "sql-invoke-slow",
                        FaultInjection.builder().latency(Duration.ofSeconds(20)).build());
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke-slow");
        options.remove("sagemaker.result.timeout");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.getConfig().set("table.exec.async-scalar.timeout", "6 s");
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_INVOKE_ASYNC", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView(
                "requests", requests(tEnv, List.of(json("a"), json("b"), json("c"))));
        LOCAL.counters().reset();

        Map<Object, Object> outputs =
                byId(tEnv, "SELECT id, SAGEMAKER_INVOKE_ASYNC(payload) FROM requests");

        assertThat(outputs).containsOnlyKeys(0, 1, 2);
        assertThat(outputs.values()).containsOnlyNulls();
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE))
                .as("one inference per row")
                .isEqualTo(3);
        CommonTestUtils.waitUtil(
                () -> LOCAL.counters().failuresWritten() >= 3,
                Duration.ofSeconds(30),
                Duration.ofMillis(100),
                "the endpoint's InvocationTimeout (the row's 4 s) did not end each of the 3 model"
                        + " runs within 30 s");
    }

    @Test
    void aResultTimeoutBeyondThePlannersTimeoutFailsThePlanningNamingBoth() {
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke");
        options.put("sagemaker.result.timeout", "5 min");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_INVOKE_ASYNC", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("a"))));

        assertThatThrownBy(
                        () ->
                                tEnv.executeSql(
                                        "SELECT SAGEMAKER_INVOKE_ASYNC(payload) FROM requests"))
                .hasStackTraceContaining(
                        "Option 'sagemaker.result.timeout' = PT5M does not end before the"
                                + " planner's timeout of PT3M ('table.exec.async-scalar.timeout')")
                .hasStackTraceContaining("Lower 'sagemaker.result.timeout' to at most PT2M45S");
    }

    @Test
    void wrongCredentialsFailTheQueryEvenWhenErrorsBecomeNull() throws Exception {
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke");
        options.put("aws.credentials.provider.basic.secretkey", "not-the-secret");
        options.put("sagemaker.invoke.error-handling", "NULL");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "INVOKE_WITH_WRONG_SECRET", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("good"))));

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collectAll(
                                        tEnv.executeSql(
                                                "SELECT INVOKE_WITH_WRONG_SECRET(payload) FROM"
                                                        + " requests")))
                .hasStackTraceContaining("FatalAwsException")
                .hasStackTraceContaining("credentials");
    }

    @Test
    void bytesInGiveBytesOut() throws Exception {
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_INVOKE_ASYNC",
                new SageMakerInvokeAsyncFunction(
                        SqlTestSupport.options(LOCAL.local(), "sql-invoke")));
        tEnv.createTemporaryView(
                "requests", requests(tEnv, List.of(json("love it"), json("hate it"))));

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, SAGEMAKER_INVOKE_ASYNC(CAST(payload AS BYTES))"
                                        + " FROM requests"));
        assertThat(SqlTestSupport.column(rows, 0)).containsExactlyInAnyOrder(0, 1);

        Map<Integer, byte[]> outputs = new HashMap<>();
        rows.forEach(row -> outputs.put((Integer) row.getField(0), (byte[]) row.getField(1)));
        assertThat(outputs.get(0)).isEqualTo(SentimentDemoModel.score("love it"));
        assertThat(outputs.get(1)).isEqualTo(SentimentDemoModel.score("hate it"));
    }

    @Test
    void createFunctionReadsItsOptionsFromTheJobParameters() throws Exception {
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke");
        tEnv.getConfig().set(PipelineOptions.GLOBAL_JOB_PARAMETERS, options);
        tEnv.executeSql(
                "CREATE TEMPORARY SYSTEM FUNCTION SAGEMAKER_INVOKE_ASYNC AS '"
                        + SageMakerInvokeAsyncFunction.class.getName()
                        + "'");
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("nice"))));

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql("SELECT SAGEMAKER_INVOKE_ASYNC(payload) FROM requests"));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getField(0))
                .isEqualTo(new String(SentimentDemoModel.score("nice"), StandardCharsets.UTF_8));
    }

    /**
     * The credentials keys as a Kinesis table spells them, given as job parameters: the function
     * reads them, and the local endpoint, which checks signatures, accepts its calls.
     */
    @Test
    void createFunctionReadsTheSqlSpellingOfFlinksAwsTablesFromTheJobParameters() throws Exception {
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options =
                SqlTestSupport.inTableSpelling(SqlTestSupport.options(LOCAL.local(), "sql-invoke"));
        options.put("aws.trust.all.certificates", "false");
        tEnv.getConfig().set(PipelineOptions.GLOBAL_JOB_PARAMETERS, options);
        tEnv.executeSql(
                "CREATE TEMPORARY SYSTEM FUNCTION SAGEMAKER_INVOKE_ASYNC AS '"
                        + SageMakerInvokeAsyncFunction.class.getName()
                        + "'");
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("fine"))));

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql("SELECT SAGEMAKER_INVOKE_ASYNC(payload) FROM requests"));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getField(0))
                .isEqualTo(new String(SentimentDemoModel.score("fine"), StandardCharsets.UTF_8));
    }

    /** A wrong secret in the SQL spelling is used, not ignored: the service refuses it. */
    @Test
    void aWrongSecretInTheSqlSpellingFailsTheQuery() {
        Map<String, String> options =
                SqlTestSupport.inTableSpelling(SqlTestSupport.options(LOCAL.local(), "sql-invoke"));
        options.put("aws.credentials.basic.secretkey", "not-the-secret");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "INVOKE_WITH_WRONG_SQL_SECRET", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("good"))));

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collectAll(
                                        tEnv.executeSql(
                                                "SELECT INVOKE_WITH_WRONG_SQL_SECRET(payload) FROM"
                                                        + " requests")))
                .hasStackTraceContaining("FatalAwsException")
                .hasStackTraceContaining("credentials");
    }

    @Test
    void optionsAreValidatedWhenTheFunctionIsCreated() {
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), "sql-invoke");
        options.put("sagemaker.invoke.error-handling", "SKIP");
        assertThatThrownBy(() -> new SageMakerInvokeAsyncFunction(options))
                .hasMessageContaining("'sagemaker.invoke.error-handling'")
                .hasMessageContaining("[NULL, ERROR_STRING, FAIL]");
        options.remove("sagemaker.invoke.error-handling");
        options.put("sagemaker.invoke.error-handlin", "NULL");
        assertThatThrownBy(() -> new SageMakerInvokeAsyncFunction(options))
                .hasMessageContaining("Did you mean 'sagemaker.invoke.error-handling'");
        options.remove("sagemaker.invoke.error-handlin");

        options.put("aws.credentials.basic.secretkey", "another-secret");
        assertThatThrownBy(() -> new SageMakerInvokeAsyncFunction(options))
                .hasMessageContaining(
                        "Options 'aws.credentials.basic.secretkey' and"
                                + " 'aws.credentials.provider.basic.secretkey'")
                .hasMessageNotContaining("another-secret");
        options.put(
                "aws.credentials.basic.secretkey",
                options.get("aws.credentials.provider.basic.secretkey"));
        assertThat(new SageMakerInvokeAsyncFunction(options))
                .as("both spellings with one value")
                .isNotNull();

        options.put("aws.credentials.provider", "CUSTOM");
        assertThatThrownBy(() -> new SageMakerInvokeAsyncFunction(options))
                .hasMessageContaining(
                        "Option 'aws.credentials.provider.custom.class' (in SQL"
                                + " 'aws.credentials.custom.class') is required when the"
                                + " credentials provider is CUSTOM");
    }
}
