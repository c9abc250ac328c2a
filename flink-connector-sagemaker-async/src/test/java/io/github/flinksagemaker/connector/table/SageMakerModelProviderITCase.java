package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.LocalCredentialsProvider;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.model.EchoModel;
import io.github.flinksagemaker.local.model.ModelRequest;
import io.github.flinksagemaker.local.model.ModelResponse;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.TableResult;
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

/** CREATE MODEL with the sagemaker-async provider and ML_PREDICT against the local endpoint. */
class SageMakerModelProviderITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @BeforeAll
    static void registerEndpoints() {
        SqlTestSupport.register(LOCAL.local(), "sql-model", new SentimentDemoModel());
        SqlTestSupport.register(LOCAL.local(), "sql-model-faulty", new SentimentDemoModel());
        LOCAL.local()
                .setFaults(
                        "sql-model-faulty",
                        FaultInjection.builder().modelErrorFraction(1.0).build());
        SqlTestSupport.register(LOCAL.local(), "sql-model-slow", new SentimentDemoModel());
        LOCAL.local()
                .setFaults(
                        "sql-model-slow",
                        FaultInjection.builder().latency(Duration.ofSeconds(30)).build());
        SqlTestSupport.register(
                LOCAL.local(), "sql-model-odd", SageMakerModelProviderITCase::oddOutput);
        SqlTestSupport.register(LOCAL.local(), "sql-model-echo", new EchoModel());
    }

    /** The echo model answers each payload with itself: each row's text is its model's output. */
    @Test
    void nestedObjectsAndTopLevelArraysFillRowAndArrayColumnsThroughThePlanner() throws Exception {
        StreamTableEnvironment tEnv =
                reviews(
                        List.of(
                                "{\"prediction\":{\"label\":\"POS\",\"score\":0.9},"
                                        + "\"top\":[{\"label\":\"POS\",\"score\":0.9},"
                                        + "{\"label\":\"NEG\",\"score\":0.1}]}",
                                "{\"prediction\":{\"label\":\"POS\",\"score\":\"high\"}}",
                                "[0.1, 0.9]"));
        tEnv.executeSql(
                createModel(
                        "sql-model-echo",
                        "nested",
                        "prediction ROW<label STRING, score DOUBLE>,"
                                + " top ARRAY<ROW<label STRING, score DOUBLE>>,"
                                + " `error-string` STRING, `error-status` STRING",
                        Map.of("input-format", "RAW")));
        tEnv.executeSql(
                createModel(
                        "sql-model-echo",
                        "positional",
                        "negative DOUBLE, positive DOUBLE, `error-status` STRING",
                        Map.of("input-format", "RAW")));

        Map<Integer, Row> nested = new HashMap<>();
        SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, prediction, top, `error-string`, `error-status` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL nested,"
                                        + " DESCRIPTOR(text))"))
                .forEach(row -> nested.put((Integer) row.getField(0), row));
        Map<Integer, Row> positional = new HashMap<>();
        SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, negative, positive, `error-status` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL positional,"
                                        + " DESCRIPTOR(text))"))
                .forEach(row -> positional.put((Integer) row.getField(0), row));

        assertThat(nested.get(0).getField(1)).isEqualTo(Row.of("POS", 0.9));
        assertThat((Row[]) nested.get(0).getField(2))
                .containsExactly(Row.of("POS", 0.9), Row.of("NEG", 0.1));
        assertThat(nested.get(0).getField(4)).isNull();
        assertThat(nested.get(1).getField(4)).isEqualTo("INVALID_OUTPUT");
        assertThat((String) nested.get(1).getField(3))
                .contains(
                        "Field 'prediction.score' = \"high\" does not fit column type DOUBLE"
                                + " (OUTPUT column 'prediction')");
        assertThat(positional.get(2).getField(1)).isEqualTo(0.1);
        assertThat(positional.get(2).getField(2)).isEqualTo(0.9);
        assertThat(positional.get(2).getField(3)).isNull();
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

    /** {@code extra} options are added; an empty value removes the test default of its key. */
    private static String createModel(
            String endpoint, String name, String output, Map<String, String> extra) {
        Map<String, String> options = SqlTestSupport.options(LOCAL.local(), endpoint);
        options.put("provider", "sagemaker-async");
        options.putAll(extra);
        options.values().removeIf(String::isEmpty);
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
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label, score, positiveWords, `inference-id` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL sentiment,"
                                        + " DESCRIPTOR(text))"));

        assertThat(SqlTestSupport.column(rows, 0))
                .containsExactlyInAnyOrderElementsOf(SqlTestSupport.ids(texts.size()));
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
    void ignoreFillsTheErrorColumnsForModelErrorsAndNullInputsGetNullsWithoutACall()
            throws Exception {
        List<String> texts = new ArrayList<>(List.of("good", "bad", "nice"));
        texts.add(null);
        texts.add(null);
        StreamTableEnvironment tEnv = reviews(texts);
        tEnv.executeSql(
                createModel(
                        "sql-model-faulty",
                        "sentiment_or_error",
                        "label STRING, `error-string` STRING, `error-status` STRING",
                        Map.of("output-format", "JSON")));
        long invocationsBefore = LOCAL.counters().invocations(InvocationKind.INLINE);

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label, `error-string`, `error-status` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL sentiment_or_error,"
                                        + " DESCRIPTOR(text))"));

        assertThat(SqlTestSupport.column(rows, 0))
                .containsExactlyInAnyOrderElementsOf(SqlTestSupport.ids(texts.size()));
        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(row -> byId.put((Integer) row.getField(0), row));
        for (int id : List.of(0, 1, 2)) {
            assertThat(byId.get(id).getField(1)).isNull();
            assertThat(byId.get(id).getField(2)).isEqualTo("Model error (injected)");
            assertThat(byId.get(id).getField(3)).isEqualTo("MODEL_ERROR");
        }
        for (int id : List.of(3, 4)) {
            assertThat(byId.get(id).getField(1)).isNull();
            assertThat(byId.get(id).getField(2)).as("not an error: nothing to ask").isNull();
            assertThat(byId.get(id).getField(3)).isNull();
        }
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE) - invocationsBefore)
                .as("by default a failed row is never submitted again, a NULL row never sent")
                .isEqualTo(3);
    }

    @Test
    void retryResubmitsModelErrorsWithBackoffThenIgnores() throws Exception {
        List<String> texts = List.of("good", "bad", "nice", "awful");
        StreamTableEnvironment tEnv = reviews(texts);
        tEnv.executeSql(
                createModel(
                        "sql-model-faulty",
                        "always_failing",
                        "label STRING, score DOUBLE, `error-string` STRING, `error-status` STRING,"
                                + " `inference-id` STRING",
                        Map.of("error-handling-strategy", "RETRY", "retry-num", "2")));
        long invocationsBefore = LOCAL.counters().invocations(InvocationKind.INLINE);

        TableResult result =
                tEnv.executeSql(
                        "SELECT id, label, score, `error-string`, `error-status`,"
                                + " `inference-id` FROM ML_PREDICT(TABLE reviews,"
                                + " MODEL always_failing, DESCRIPTOR(text))");
        List<Row> rows = SqlTestSupport.collectAll(result);

        assertThat(SqlTestSupport.column(rows, 0)).containsExactlyInAnyOrder(0, 1, 2, 3);
        for (Row row : rows) {
            assertThat(row.getField(1)).isNull();
            assertThat(row.getField(2)).isNull();
            assertThat(row.getField(3)).isEqualTo("Model error (injected)");
            assertThat(row.getField(4)).isEqualTo("MODEL_ERROR");
            assertThat((String) row.getField(5)).hasSize(36);
        }
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE) - invocationsBefore)
                .as("each row submitted once and again twice")
                .isEqualTo(3L * texts.size());
        JobMetrics metrics = new JobMetrics(REPORTER, result.getJobClient().get().getJobID());
        assertThat(metrics.counterSum("sagemakerAsync.modelErrors"))
                .as("rows, not attempts")
                .isEqualTo(texts.size());
        assertThat(metrics.counterSum("sagemakerAsync.resubmissions")).isEqualTo(2L * texts.size());
    }

    @Test
    void retryThenFailoverFailsTheJobForAPersistentModelError() {
        StreamTableEnvironment tEnv = reviews(List.of("good"));
        tEnv.executeSql(
                createModel(
                        "sql-model-faulty",
                        "strict",
                        "label STRING",
                        Map.of(
                                "error-handling-strategy",
                                "RETRY",
                                "retry-num",
                                "1",
                                "retry-fallback-strategy",
                                "FAILOVER")));

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collectAll(
                                        tEnv.executeSql(
                                                "SELECT id, label FROM ML_PREDICT(TABLE reviews,"
                                                        + " MODEL strict, DESCRIPTOR(text))")))
                .hasStackTraceContaining("SageMakerInferenceException")
                .hasStackTraceContaining("ended MODEL_ERROR");
    }

    /**
     * A model slower than the planner's ML_PREDICT timeout: each row ends TIMED_OUT just before it,
     * by the table's timeout or by ML_PREDICT's config map, instead of failing the job.
     */
    @Test
    void rowsEndBeforeThePlannersTimeoutFromTheTableOrTheCallsConfigMap() throws Exception {
        StreamTableEnvironment tEnv = reviews(List.of("good", "bad"));
        tEnv.executeSql(
                createModel(
                        "sql-model-slow",
                        "slow",
                        "label STRING, `error-status` STRING",
                        // The service keeps running the model: the row's end alone answers it.
                        Map.of(
                                "sagemaker.result.timeout",
                                "",
                                "sagemaker.invocation-timeout",
                                "60 s")));
        long invocationsBefore = LOCAL.counters().invocations(InvocationKind.INLINE);
        tEnv.getConfig().set("table.exec.async-ml-predict.timeout", "6 s");

        List<Row> byTable =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label, `error-status` FROM ML_PREDICT(TABLE reviews,"
                                        + " MODEL slow, DESCRIPTOR(text))"));
        tEnv.getConfig().set("table.exec.async-ml-predict.timeout", "3 min");
        List<Row> byCall =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label, `error-status` FROM ML_PREDICT(TABLE reviews,"
                                        + " MODEL slow, DESCRIPTOR(text), MAP['timeout', '6 s'])"));

        for (List<Row> rows : List.of(byTable, byCall)) {
            assertThat(SqlTestSupport.column(rows, 0)).containsExactlyInAnyOrder(0, 1);
            assertThat(SqlTestSupport.column(rows, 1)).containsOnlyNulls();
            assertThat(SqlTestSupport.column(rows, 2)).containsOnly("TIMED_OUT");
        }
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE) - invocationsBefore)
                .as(
                        "one inference per row and query: a row that ran out of time is not resubmitted")
                .isEqualTo(4);
    }

    @Test
    void aResultTimeoutBeyondThePlannersTimeoutFailsThePlanNamingBoth() {
        StreamTableEnvironment tEnv = reviews(List.of("good"));
        tEnv.executeSql(
                createModel(
                        "too_patient",
                        "label STRING",
                        Map.of("sagemaker.result.timeout", "10 min")));

        assertThatThrownBy(
                        () ->
                                tEnv.executeSql(
                                        "SELECT id, label FROM ML_PREDICT(TABLE reviews,"
                                                + " MODEL too_patient, DESCRIPTOR(text))"))
                .hasStackTraceContaining(
                        "Option 'sagemaker.result.timeout' = PT10M does not end before the"
                                + " planner's timeout of PT3M"
                                + " ('table.exec.async-ml-predict.timeout'; 'timeout' in"
                                + " ML_PREDICT's config map overrides it): a row still waiting"
                                + " then fails the job. Lower 'sagemaker.result.timeout' to at"
                                + " most PT2M45S, or raise the planner's timeout");
    }

    @Test
    void rawNullAndEmptyInputsAreAnsweredWithoutAnyCall() throws Exception {
        List<String> texts = new ArrayList<>();
        texts.add(null);
        texts.add("");
        StreamTableEnvironment tEnv = reviews(texts);
        tEnv.executeSql(
                createModel(
                        "raw_input",
                        "label STRING, `error-string` STRING, `error-status` STRING",
                        Map.of("input-format", "RAW", "output-format", "JSON")));
        long invocationsBefore = LOCAL.counters().invocations(InvocationKind.INLINE);

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label, `error-string`, `error-status` FROM"
                                        + " ML_PREDICT(TABLE reviews, MODEL raw_input, DESCRIPTOR(text))"));

        assertThat(SqlTestSupport.column(rows, 0)).containsExactlyInAnyOrder(0, 1);
        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(row -> byId.put((Integer) row.getField(0), row));
        assertThat(byId.get(0).getField(3)).as("NULL in, NULL out").isNull();
        assertThat(byId.get(1).getField(3)).isEqualTo("REJECTED");
        assertThat((String) byId.get(1).getField(2))
                .startsWith("SERIALIZATION_FAILED: Refusing an empty payload");
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE))
                .isEqualTo(invocationsBefore);
    }

    /** What the odd model answers: a number column given text, or 2 MB of output. */
    static ModelResponse oddOutput(ModelRequest request) {
        String text = new String(request.body(), StandardCharsets.UTF_8);
        String json =
                text.contains("huge")
                        ? "{\"label\":\"" + "x".repeat(2_000_000) + "\",\"score\":1}"
                        : text.contains("typed")
                                ? "{\"label\":\"odd\",\"score\":\"abc\"}"
                                : "{\"label\":\"fine\",\"score\":7}";
        return ModelResponse.success(json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    @Test
    void outputsThatDoNotFitAreInvalidOutputRowsCountedApart() throws Exception {
        StreamTableEnvironment tEnv = reviews(List.of("fine", "typed", "huge", "fine too"));
        tEnv.executeSql(
                createModel(
                        "sql-model-odd",
                        "odd",
                        "label STRING, score INT, `error-string` STRING, `error-status` STRING",
                        Map.of(
                                "sagemaker.result.max-content-bytes",
                                "1 mb",
                                "error-handling-strategy",
                                "RETRY")));
        long invocationsBefore = LOCAL.counters().invocations(InvocationKind.INLINE);

        TableResult result =
                tEnv.executeSql(
                        "SELECT id, score, `error-string`, `error-status` FROM"
                                + " ML_PREDICT(TABLE reviews, MODEL odd, DESCRIPTOR(text))");
        List<Row> rows = SqlTestSupport.collectAll(result);

        assertThat(SqlTestSupport.column(rows, 0)).containsExactlyInAnyOrder(0, 1, 2, 3);
        Map<Integer, Row> byId = new HashMap<>();
        rows.forEach(row -> byId.put((Integer) row.getField(0), row));
        assertThat(byId.get(0).getField(1)).isEqualTo(7);
        assertThat(byId.get(1).getField(1)).as("\"abc\" is never 0").isNull();
        assertThat(byId.get(1).getField(3)).isEqualTo("INVALID_OUTPUT");
        assertThat((String) byId.get(1).getField(2))
                .contains("Field 'score' = \"abc\" does not fit column type INT");
        assertThat(byId.get(2).getField(3)).isEqualTo("INVALID_OUTPUT");
        assertThat((String) byId.get(2).getField(2))
                .contains("is over 'sagemaker.result.max-content-bytes'")
                .contains("2000022 bytes");
        JobMetrics metrics = new JobMetrics(REPORTER, result.getJobClient().get().getJobID());
        assertThat(metrics.counterSum("sagemakerAsync.invalidOutputs")).isEqualTo(2);
        assertThat(metrics.counterSum("sagemakerAsync.succeeded")).isEqualTo(2);
        assertThat(LOCAL.counters().invocations(InvocationKind.INLINE) - invocationsBefore)
                .as("RETRY resubmits model errors only: an invalid output would not change")
                .isEqualTo(4);
    }

    /**
     * The AWS options of a model copied from a Kinesis table's DDL: credentials in the SQL spelling
     * and no provider (the keys mean BASIC, as in Flink's AWS tables), with keys BASIC does not use
     * and {@code aws.trust.all.certificates}. The model predicts, signing with those credentials.
     */
    @Test
    void aModelWithTheAwsOptionsOfAKinesisTablePredicts() throws Exception {
        StreamTableEnvironment tEnv = reviews(List.of("good stuff"));
        Map<String, String> options =
                SqlTestSupport.inTableSpelling(SqlTestSupport.options(LOCAL.local(), "sql-model"));
        options.put("aws.trust.all.certificates", "false");
        options.put("aws.credentials.role.arn", "arn:aws:iam::123456789012:role/unused");
        options.put("aws.credentials.role.sessionName", "unused");
        options.put("aws.credentials.profile.name", "unused");
        Map<String, String> extra = new HashMap<>(options);
        // Removed from the test defaults: no provider, and no keys in the DataStream spelling.
        extra.put("aws.credentials.provider", "");
        extra.put("aws.credentials.provider.basic.accesskeyid", "");
        extra.put("aws.credentials.provider.basic.secretkey", "");
        tEnv.executeSql(createModel("kinesis_style", "label STRING, score DOUBLE", extra));

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label FROM ML_PREDICT(TABLE reviews, MODEL"
                                        + " kinesis_style, DESCRIPTOR(text))"));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getField(1)).isEqualTo(expected("good stuff").get("label").asText());
    }

    /**
     * {@code CUSTOM}: the class the model names gives the credentials the calls are signed with.
     */
    @Test
    void aCustomCredentialsProviderSignsTheModelsCalls() throws Exception {
        LocalCredentialsProvider.use(LOCAL.local().accessKeyId(), LOCAL.local().secretAccessKey());
        long resolvedBefore = LocalCredentialsProvider.resolved();
        StreamTableEnvironment tEnv = reviews(List.of("so good"));
        tEnv.executeSql(
                createModel(
                        "custom_credentials",
                        "label STRING, score DOUBLE",
                        Map.of(
                                "aws.credentials.provider",
                                "CUSTOM",
                                "aws.credentials.custom.class",
                                LocalCredentialsProvider.class.getName(),
                                "aws.credentials.provider.basic.accesskeyid",
                                "",
                                "aws.credentials.provider.basic.secretkey",
                                "")));

        List<Row> rows =
                SqlTestSupport.collectAll(
                        tEnv.executeSql(
                                "SELECT id, label FROM ML_PREDICT(TABLE reviews, MODEL"
                                        + " custom_credentials, DESCRIPTOR(text))"));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getField(1)).isEqualTo(expected("so good").get("label").asText());
        assertThat(LocalCredentialsProvider.resolved()).isGreaterThan(resolvedBefore);
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
