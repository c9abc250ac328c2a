package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CREATE MODEL with the sagemaker-async provider and ML_PREDICT against the local endpoint. */
class SageMakerModelProviderITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
        SqlTestSupport.register(local, "sql-model", new SentimentDemoModel());
        SqlTestSupport.register(local, "sql-model-faulty", new SentimentDemoModel());
        local.setFaults(
                "sql-model-faulty", FaultInjection.builder().modelErrorFraction(1.0).build());
    }

    @AfterAll
    static void stopLocalEndpoint() throws Exception {
        local.close();
    }

    private static StreamTableEnvironment reviews(List<String> texts) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            rows.add(Row.of(i, texts.get(i)));
        }
        tEnv.createTemporaryView(
                "reviews",
                tEnv.fromValues(
                        DataTypes.ROW(
                                FIELD("id", DataTypes.INT()), FIELD("text", DataTypes.STRING())),
                        rows));
        return tEnv;
    }

    private static String createModel(String name, String output, Map<String, String> extra) {
        return createModel("sql-model", name, output, extra);
    }

    private static String createModel(
            String endpoint, String name, String output, Map<String, String> extra) {
        Map<String, String> options = SqlTestSupport.options(local, endpoint);
        options.put("provider", "sagemaker-async");
        options.putAll(extra);
        return "CREATE TEMPORARY MODEL "
                + name
                + " INPUT (text STRING) OUTPUT ("
                + output
                + ") WITH (\n"
                + SqlTestSupport.withClause(options)
                + ")";
    }

    private static JsonNode expected(String text) throws Exception {
        return MAPPER.readTree(SentimentDemoModel.score(text));
    }

    @Test
    void mlPredictReturnsTypedOutputColumns() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            texts.add(i % 2 == 0 ? "excellent, I love it #" + i : "awful and broken #" + i);
        }
        texts.add("a long review that is perfect ".repeat(5_000));
        StreamTableEnvironment tEnv = reviews(texts);
        tEnv.executeSql(
                createModel(
                        "sentiment",
                        "label STRING, score DOUBLE, positiveWords INT, `inference-id` STRING",
                        Map.of()));

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql(
                                "SELECT id, label, score, positiveWords, `inference-id` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL sentiment,"
                                        + " DESCRIPTOR(text))"),
                        texts.size());

        assertThat(rows).hasSize(texts.size());
        for (Row row : rows) {
            String text = texts.get((Integer) row.getField(0));
            JsonNode expected = expected(text);
            assertThat(row.getField(1)).isEqualTo(expected.get("label").textValue());
            assertThat(row.getField(2)).isEqualTo(expected.get("score").doubleValue());
            assertThat(row.getField(3)).isEqualTo(expected.get("positiveWords").intValue());
            assertThat((String) row.getField(4)).hasSize(36);
        }
    }

    @Test
    void ignoreFillsTheErrorColumnsForModelErrors() throws Exception {
        List<String> texts = new ArrayList<>(List.of("good", "bad", "nice"));
        texts.add(null);
        texts.add(null);
        StreamTableEnvironment tEnv = reviews(texts);
        tEnv.executeSql(
                createModel(
                        "sentiment_or_error",
                        "label STRING, `error-string` STRING, `error-status` STRING",
                        Map.of("error-handling-strategy", "IGNORE", "output-format", "JSON")));

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql(
                                "SELECT id, label, `error-string`, `error-status` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL sentiment_or_error,"
                                        + " DESCRIPTOR(text))"),
                        texts.size());

        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(row -> byId.put((Integer) row.getField(0), row));
        assertThat(byId).hasSize(texts.size());
        for (int id : List.of(0, 1, 2)) {
            assertThat(byId.get(id).getField(1))
                    .isEqualTo(expected(texts.get(id)).get("label").textValue());
            assertThat(byId.get(id).getField(2)).isNull();
            assertThat(byId.get(id).getField(3)).isNull();
        }
        for (int id : List.of(3, 4)) {
            assertThat(byId.get(id).getField(1)).isNull();
            assertThat((String) byId.get(id).getField(2))
                    .contains("expects a JSON object with a string field 'text'");
            assertThat(byId.get(id).getField(3)).isEqualTo("MODEL_ERROR");
        }
    }

    @Test
    void ignoreFillsTheErrorColumnsForInjectedModelErrorsAfterRetries() throws Exception {
        List<String> texts = List.of("good", "bad", "nice", "awful");
        StreamTableEnvironment tEnv = reviews(texts);
        tEnv.executeSql(
                createModel(
                        "sql-model-faulty",
                        "always_failing",
                        "label STRING, score DOUBLE, `error-string` STRING, `error-status` STRING,"
                                + " `inference-id` STRING",
                        Map.of("retry-num", "1", "retry-fallback-strategy", "IGNORE")));
        long invocationsBefore = local.counters().invocations(InvocationKind.INLINE);

        List<Row> rows =
                SqlTestSupport.collect(
                        tEnv.executeSql(
                                "SELECT id, label, score, `error-string`, `error-status`,"
                                        + " `inference-id` FROM ML_PREDICT(TABLE reviews,"
                                        + " MODEL always_failing, DESCRIPTOR(text))"),
                        texts.size());

        assertThat(rows).hasSize(texts.size());
        assertThat(rows).extracting(row -> row.getField(0)).containsExactlyInAnyOrder(0, 1, 2, 3);
        for (Row row : rows) {
            assertThat(row.getField(1)).isNull();
            assertThat(row.getField(2)).isNull();
            assertThat(row.getField(3)).isEqualTo("Model error (injected)");
            assertThat(row.getField(4)).isEqualTo("MODEL_ERROR");
            assertThat((String) row.getField(5)).hasSize(36);
        }
        assertThat(local.counters().invocations(InvocationKind.INLINE) - invocationsBefore)
                .as("each row submitted once and retried once")
                .isEqualTo(2L * texts.size());
    }

    @Test
    void retryThenFailoverFailsTheJobForAPersistentModelError() {
        StreamTableEnvironment tEnv = reviews(java.util.Arrays.asList("good", null));
        tEnv.executeSql(createModel("strict", "label STRING", Map.of("retry-num", "1")));

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collect(
                                        tEnv.executeSql(
                                                "SELECT id, label FROM ML_PREDICT(TABLE reviews,"
                                                        + " MODEL strict, DESCRIPTOR(text))"),
                                        2))
                .hasStackTraceContaining("SageMakerInferenceException")
                .hasStackTraceContaining("MODEL_ERROR");
    }

    @Test
    void optionsAreValidatedNamingTheOptionAndTheAllowedValues() {
        StreamTableEnvironment tEnv = reviews(List.of("good"));
        String query = "SELECT * FROM ML_PREDICT(TABLE reviews, MODEL %s, DESCRIPTOR(text))";

        tEnv.executeSql(createModel("typo", "label STRING", Map.of("sagemaker.inline-limt", "5")));
        assertThatThrownBy(() -> tEnv.executeSql(String.format(query, "typo")))
                .hasStackTraceContaining("Did you mean 'sagemaker.inline-limit'");

        tEnv.executeSql(createModel("unsupported", "label STRING", Map.of("temperature", "0.2")));
        assertThatThrownBy(() -> tEnv.executeSql(String.format(query, "unsupported")))
                .hasStackTraceContaining("temperature");

        tEnv.executeSql(createModel("xml", "label STRING", Map.of("input-format", "XML")));
        assertThatThrownBy(() -> tEnv.executeSql(String.format(query, "xml")))
                .hasStackTraceContaining("input-format")
                .hasStackTraceContaining("JSON, CSV, RAW");

        tEnv.executeSql(
                createModel(
                        "raw_output",
                        "label STRING, score DOUBLE",
                        Map.of("output-format", "RAW")));
        assertThatThrownBy(() -> tEnv.executeSql(String.format(query, "raw_output")))
                .hasStackTraceContaining(
                        "'output-format' = RAW needs exactly one OUTPUT column of type STRING or"
                                + " BYTES");
    }
}
