package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.local.model.ModelResponse;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Configured the way docs/sql.md recommends (job parameters name an options file that holds the
 * credentials, the role's external ID and the custom attributes), a {@code CREATE FUNCTION} job
 * uses them, and neither {@code /jobs/:id/config} nor {@code /jobs/:id/jobmanager/config} of
 * Flink's REST API shows any of them.
 */
class SqlSecretsITCase {
    private static final String ENDPOINT = "sql-secrets";
    private static final String EXTERNAL_ID = "external-id-9f3c";
    private static final String ATTRIBUTES = "tenant=acme-7d21";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    /** The custom attributes the model received. */
    private static final Set<String> RECEIVED = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void registerEndpoints() {
        SentimentDemoModel model = new SentimentDemoModel();
        SqlTestSupport.register(
                LOCAL.local(),
                ENDPOINT,
                request -> {
                    RECEIVED.add(String.valueOf(request.customAttributes()));
                    ModelResponse response = model.invoke(request);
                    return response;
                });
    }

    @Test
    void anOptionsFileKeepsCredentialsAndAttributesOutOfTheRestApi(@TempDir Path dir)
            throws Exception {
        Map<String, String> all = SqlTestSupport.options(LOCAL.local(), ENDPOINT);
        String accessKey = all.get("aws.credentials.provider.basic.accesskeyid");
        String secretKey = all.get("aws.credentials.provider.basic.secretkey");
        Map<String, String> secret = new TreeMap<>();
        all.keySet().stream()
                .filter(key -> key.startsWith("aws.credentials.provider"))
                .toList()
                .forEach(key -> secret.put(key, all.remove(key)));
        secret.put("aws.credentials.provider.role.externalid", EXTERNAL_ID);
        secret.put("sagemaker.custom-attributes", ATTRIBUTES);
        Path file = dir.resolve("sagemaker.properties");
        StringBuilder properties = new StringBuilder();
        secret.forEach(
                (key, value) -> properties.append(key).append('=').append(value).append('\n'));
        Files.writeString(file, properties);
        Map<String, String> jobParameters = new TreeMap<>(all);
        jobParameters.put("sagemaker.options-file", file.toString());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        tEnv.getConfig().set(PipelineOptions.GLOBAL_JOB_PARAMETERS, jobParameters);
        tEnv.executeSql(
                "CREATE TEMPORARY SYSTEM FUNCTION SAGEMAKER_INVOKE_ASYNC AS '"
                        + SageMakerInvokeAsyncFunction.class.getName()
                        + "'");
        tEnv.createTemporaryView(
                "requests",
                tEnv.fromValues(
                        DataTypes.ROW(
                                FIELD("id", DataTypes.INT()), FIELD("payload", DataTypes.STRING())),
                        List.of(Row.of(0, "{\"text\":\"lovely\"}"))));

        TableResult result =
                tEnv.executeSql("SELECT id, SAGEMAKER_INVOKE_ASYNC(payload) FROM requests");
        List<Row> rows = SqlTestSupport.collectAll(result);

        assertThat(rows)
                .as("answered: the credentials in the file were used")
                .singleElement()
                .satisfies(
                        row ->
                                assertThat(row.getField(1))
                                        .isEqualTo(
                                                new String(
                                                        SentimentDemoModel.score("lovely"),
                                                        StandardCharsets.UTF_8)));
        assertThat(RECEIVED).containsExactly(ATTRIBUTES);

        String job = result.getJobClient().get().getJobID().toHexString();
        Configuration client = MINI_CLUSTER.getClientConfiguration();
        String base =
                "http://"
                        + client.get(RestOptions.ADDRESS)
                        + ":"
                        + client.get(RestOptions.PORT)
                        + "/jobs/"
                        + job;
        String config = get(base + "/config");
        String jobManagerConfig = get(base + "/jobmanager/config");
        assertThat(config)
                .as("the job parameters are shown: the check below can fail")
                .contains("sagemaker.options-file")
                .contains(ENDPOINT);
        for (String shown : List.of(config, jobManagerConfig)) {
            assertThat(shown)
                    .doesNotContain(accessKey)
                    .doesNotContain(secretKey)
                    .doesNotContain(EXTERNAL_ID)
                    .doesNotContain(ATTRIBUTES);
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(url)).GET().build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }
}
