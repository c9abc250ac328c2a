package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
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

    private static LocalSageMakerAsync local;

    @BeforeAll
    static void startLocalEndpoint() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        SqlTestSupport.register(local, "sql-invoke", new SentimentDemoModel());
    }

    @AfterAll
    static void stopLocalEndpoint() throws Exception {
        local.close();
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
        local.counters().reset();

        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_INVOKE_ASYNC",
                new SageMakerInvokeAsyncFunction(SqlTestSupport.options(local, "sql-invoke")));
        tEnv.createTemporaryView("requests", requests(tEnv, payloads));

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql(
                                "SELECT id, SAGEMAKER_INVOKE_ASYNC(payload, 'application/json')"
                                        + " AS output FROM requests"),
                        texts.size());

        Map<Integer, String> outputs = new HashMap<>();
        rows.forEach(row -> outputs.put((Integer) row.getField(0), (String) row.getField(1)));
        assertThat(outputs).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertThat(outputs.get(i))
                    .as("row %d", i)
                    .isEqualTo(
                            new String(
                                    SentimentDemoModel.score(texts.get(i)),
                                    StandardCharsets.UTF_8));
        }
        assertThat(local.counters().invocations(InvocationKind.INPUT_LOCATION)).isEqualTo(2);
        assertThat(local.counters().invocations(InvocationKind.INLINE)).isEqualTo(texts.size() - 2);
    }

    @Test
    void aModelErrorBecomesTheErrorStringOrNullOrFailsTheJob() throws Exception {
        Map<String, String> options = SqlTestSupport.options(local, "sql-invoke");
        StreamTableEnvironment tEnv = tableEnvironment();
        options.put("sagemaker.invoke.error-handling", "ERROR_STRING");
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_ERROR", new SageMakerInvokeAsyncFunction(options));
        options.put("sagemaker.invoke.error-handling", "NULL");
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_NULL", new SageMakerInvokeAsyncFunction(options));
        options.put("sagemaker.invoke.error-handling", "FAIL");
        tEnv.createTemporarySystemFunction(
                "INVOKE_OR_FAIL", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView(
                "requests", requests(tEnv, List.of(json("good"), "not json", json("bad"))));

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql(
                                "SELECT id, INVOKE_OR_ERROR(payload), INVOKE_OR_NULL(payload)"
                                        + " FROM requests"),
                        3);
        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(row -> byId.put((Integer) row.getField(0), row));
        assertThat(byId.get(0).getField(1))
                .isEqualTo(new String(SentimentDemoModel.score("good"), StandardCharsets.UTF_8));
        assertThat((String) byId.get(1).getField(1))
                .startsWith("SAGEMAKER_ERROR MODEL_ERROR: ")
                .contains("could not parse the payload as JSON");
        assertThat(byId.get(1).getField(2)).isNull();
        assertThat(byId.get(2).getField(2)).isNotNull();

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collect(
                                        tEnv.executeSql(
                                                "SELECT INVOKE_OR_FAIL(payload) FROM requests"),
                                        3))
                .hasStackTraceContaining("SageMakerInferenceException")
                .hasStackTraceContaining("ended MODEL_ERROR");
    }

    @Test
    void wrongCredentialsFailTheQueryEvenWhenErrorsBecomeNull() throws Exception {
        Map<String, String> options = SqlTestSupport.options(local, "sql-invoke");
        options.put("aws.credentials.provider.basic.secretkey", "not-the-secret");
        options.put("sagemaker.invoke.error-handling", "NULL");
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "INVOKE_WITH_WRONG_SECRET", new SageMakerInvokeAsyncFunction(options));
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("good"))));

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collect(
                                        tEnv.executeSql(
                                                "SELECT INVOKE_WITH_WRONG_SECRET(payload) FROM"
                                                        + " requests"),
                                        1))
                .hasStackTraceContaining("FatalAwsException")
                .hasStackTraceContaining("credentials");
    }

    @Test
    void bytesInGiveBytesOut() throws Exception {
        StreamTableEnvironment tEnv = tableEnvironment();
        tEnv.createTemporarySystemFunction(
                "SAGEMAKER_INVOKE_ASYNC",
                new SageMakerInvokeAsyncFunction(SqlTestSupport.options(local, "sql-invoke")));
        tEnv.createTemporaryView(
                "requests", requests(tEnv, List.of(json("love it"), json("hate it"))));

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql(
                                "SELECT id, SAGEMAKER_INVOKE_ASYNC(CAST(payload AS BYTES))"
                                        + " FROM requests"),
                        2);

        Map<Integer, byte[]> outputs = new HashMap<>();
        rows.forEach(row -> outputs.put((Integer) row.getField(0), (byte[]) row.getField(1)));
        assertThat(outputs.get(0)).isEqualTo(SentimentDemoModel.score("love it"));
        assertThat(outputs.get(1)).isEqualTo(SentimentDemoModel.score("hate it"));
    }

    @Test
    void createFunctionReadsItsOptionsFromTheJobParameters() throws Exception {
        StreamTableEnvironment tEnv = tableEnvironment();
        Map<String, String> options = SqlTestSupport.options(local, "sql-invoke");
        tEnv.getConfig().set(PipelineOptions.GLOBAL_JOB_PARAMETERS, options);
        tEnv.executeSql(
                "CREATE TEMPORARY SYSTEM FUNCTION SAGEMAKER_INVOKE_ASYNC AS '"
                        + SageMakerInvokeAsyncFunction.class.getName()
                        + "'");
        tEnv.createTemporaryView("requests", requests(tEnv, List.of(json("nice"))));

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql("SELECT SAGEMAKER_INVOKE_ASYNC(payload) FROM requests"), 1);

        assertThat(rows.get(0).getField(0))
                .isEqualTo(new String(SentimentDemoModel.score("nice"), StandardCharsets.UTF_8));
    }

    @Test
    void optionsAreValidatedWhenTheFunctionIsCreated() {
        Map<String, String> options = SqlTestSupport.options(local, "sql-invoke");
        options.put("sagemaker.invoke.error-handling", "SKIP");
        assertThatThrownBy(() -> new SageMakerInvokeAsyncFunction(options))
                .hasMessageContaining("'sagemaker.invoke.error-handling'")
                .hasMessageContaining("[FAIL, NULL, ERROR_STRING]");
        options.remove("sagemaker.invoke.error-handling");
        options.put("sagemaker.invoke.error-handlin", "NULL");
        assertThatThrownBy(() -> new SageMakerInvokeAsyncFunction(options))
                .hasMessageContaining("Did you mean 'sagemaker.invoke.error-handling'");
    }
}
