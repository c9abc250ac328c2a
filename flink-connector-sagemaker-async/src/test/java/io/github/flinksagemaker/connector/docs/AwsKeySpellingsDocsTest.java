package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.aws.TableAwsOptions;
import io.github.flinksagemaker.connector.submit.SageMakerAsyncSubmitFunction;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.table.SageMakerSubmitAsyncFunction;

import org.apache.flink.configuration.ConfigOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The two spellings of the AWS keys of Flink's AWS connectors: each key is accepted where its
 * spelling applies (DataStream options, SQL options) and {@code docs/configuration.md} lists it.
 */
class AwsKeySpellingsDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    /**
     * The DataStream spelling: every key of flink-connector-aws-base's {@code
     * org.apache.flink.connector.aws.config.AWSConfigConstants} (apache/flink-connector-aws, main
     * branch, read for issue #27), in its order, but {@link #NOT_SUPPORTED}.
     */
    static final List<String> AWS_CONFIG_CONSTANTS =
            List.of(
                    "aws.region",
                    "aws.credentials.provider",
                    "aws.credentials.provider.basic.accesskeyid",
                    "aws.credentials.provider.basic.secretkey",
                    "aws.credentials.provider.profile.path",
                    "aws.credentials.provider.profile.name",
                    "aws.credentials.provider.role.stsEndpoint",
                    "aws.credentials.provider.custom.class",
                    "aws.credentials.provider.role.arn",
                    "aws.credentials.provider.role.sessionName",
                    "aws.credentials.provider.role.externalId",
                    "aws.credentials.provider.webIdentityToken.file",
                    "aws.credentials.provider.role.provider",
                    "aws.endpoint",
                    "aws.trust.all.certificates",
                    "aws.http-client.max-concurrency",
                    "aws.http-client.read-timeout");

    /** AWSConfigConstants' keys this connector does not take: its clients speak HTTP/1.1. */
    static final List<String> NOT_SUPPORTED = List.of("aws.http.protocol.version");

    /**
     * The SQL spelling: the AWS options of Flink's Kinesis, Firehose and DynamoDB tables (their
     * option tables in apache/flink-connector-aws docs/content/docs/connectors/table/), which
     * flink-connector-aws-base's {@code AWSOptionUtils} maps to AWSConfigConstants by reading
     * {@code aws.credentials.X} as {@code aws.credentials.provider.X}.
     */
    static final List<String> AWS_TABLE_OPTIONS =
            List.of(
                    "aws.region",
                    "aws.endpoint",
                    "aws.trust.all.certificates",
                    "aws.credentials.provider",
                    "aws.credentials.basic.accesskeyid",
                    "aws.credentials.basic.secretkey",
                    "aws.credentials.profile.path",
                    "aws.credentials.profile.name",
                    "aws.credentials.role.arn",
                    "aws.credentials.role.sessionName",
                    "aws.credentials.role.externalId",
                    "aws.credentials.role.stsEndpoint",
                    "aws.credentials.role.provider",
                    "aws.credentials.webIdentityToken.file",
                    "aws.credentials.custom.class");

    /** A value each key takes; credentials sub-keys are unused with the provider at AUTO. */
    private static String sample(String key) {
        switch (key) {
            case "aws.region":
                return "eu-west-1";
            case "aws.credentials.provider":
            case "aws.credentials.provider.role.provider":
            case "aws.credentials.role.provider":
                return "AUTO";
            case "aws.endpoint":
                return "https://runtime.sagemaker.eu-west-1.amazonaws.com";
            case "aws.trust.all.certificates":
                return "false";
            case "aws.http-client.max-concurrency":
                return "256";
            case "aws.http-client.read-timeout":
                // AWSConfigConstants' unit: milliseconds.
                return "60000";
            default:
                return "x";
        }
    }

    private static boolean documented(String key) throws IOException {
        return Files.readString(DOC).contains("`" + key + "`");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awsConfigConstants")
    void eachAwsConfigConstantsKeyIsADataStreamOptionAndDocumented(String key) throws IOException {
        SageMakerAsyncSubmitFunction.<String>builder()
                .endpointName("my-endpoint")
                .region("eu-west-1")
                .serializer(s -> SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8)))
                .set(ConfigOptions.key(key).stringType().noDefaultValue(), sample(key))
                .build();
        assertThat(documented(key)).as("docs/configuration.md names `%s`", key).isTrue();
    }

    static List<String> awsConfigConstants() {
        return AWS_CONFIG_CONSTANTS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("awsTableOptions")
    void eachAwsTableOptionIsASqlOptionAndDocumented(String key) throws IOException {
        Map<String, String> options = new TreeMap<>();
        options.put("sagemaker.endpoint-name", "my-endpoint");
        options.put("aws.region", "eu-west-1");
        options.put(key, sample(key));
        new SageMakerSubmitAsyncFunction(options);
        assertThat(documented(key)).as("docs/configuration.md names `%s`", key).isTrue();
    }

    static List<String> awsTableOptions() {
        return AWS_TABLE_OPTIONS;
    }

    @Test
    void theConnectorKnowsTheSqlSpellingOfEveryCredentialsKey() {
        assertThat(TableAwsOptions.tableCredentialsKeys())
                .containsExactlyInAnyOrderElementsOf(
                        AWS_TABLE_OPTIONS.stream()
                                .filter(TableAwsOptions::isTableSpelling)
                                .collect(Collectors.toList()));
    }

    @Test
    void aKeyNotSupportedIsRefusedAndTheDocsSaySo() throws IOException {
        for (String key : NOT_SUPPORTED) {
            Map<String, String> options = new TreeMap<>();
            options.put("sagemaker.endpoint-name", "my-endpoint");
            options.put("aws.region", "eu-west-1");
            options.put(key, "HTTP2");
            assertThatThrownBy(() -> new SageMakerSubmitAsyncFunction(options))
                    .hasMessageContaining("Unknown option '" + key + "'");
            assertThat(documented(key)).as("docs/configuration.md names `%s`", key).isTrue();
        }
    }
}
