package io.github.flinksagemaker.examples.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CloudFormation template in {@code examples/deploy} is valid JSON, runs Flink 2.2, configures
 * the property groups the application validates, and its role grants the documented least
 * privilege: each action on exactly its resources, delete and KMS only when switched on.
 */
class CloudFormationTemplateTest {
    private static JsonNode template;
    private static final Map<String, JsonNode> STATEMENTS = new HashMap<>();

    @BeforeAll
    static void read() throws Exception {
        template =
                new ObjectMapper()
                        .readTree(Path.of("deploy", "managed-flink.template.json").toFile());
        JsonNode statements =
                template.at(
                        "/Resources/ApplicationRole/Properties/Policies/0/PolicyDocument/Statement");
        for (JsonNode statement : statements) {
            JsonNode body = statement.has("Fn::If") ? statement.get("Fn::If").get(1) : statement;
            STATEMENTS.put(body.get("Sid").asText(), statement);
        }
    }

    private static JsonNode statement(String sid) {
        JsonNode statement = STATEMENTS.get(sid);
        assertThat(statement).as("statement %s", sid).isNotNull();
        return statement.has("Fn::If") ? statement.get("Fn::If").get(1) : statement;
    }

    @Test
    void runsFlink22WithTheApplicationsPropertyGroups() {
        JsonNode application = template.at("/Resources/Application");
        assertThat(application.get("Type").asText())
                .isEqualTo("AWS::KinesisAnalyticsV2::Application");
        assertThat(application.at("/Properties/RuntimeEnvironment").asText())
                .isEqualTo("FLINK-2_2");
        JsonNode groups =
                application.at(
                        "/Properties/ApplicationConfiguration/EnvironmentProperties/PropertyGroups");
        Map<String, JsonNode> byId = new HashMap<>();
        groups.forEach(
                group -> byId.put(group.get("PropertyGroupId").asText(), group.get("PropertyMap")));
        assertThat(byId)
                .containsOnlyKeys("SageMakerEndpoint", "ConnectorOptions", "Source", "Sink");
        assertThat(byId.get("SageMakerEndpoint").fieldNames())
                .toIterable()
                .containsExactlyInAnyOrder(
                        "endpoint.name", "region", "output.path", "failure.path", "input.prefix");
        assertThat(byId.get("Sink").has("path")).isTrue();
        assertThat(byId.get("Source").has("path")).isTrue();
        assertThat(
                        template.at(
                                        "/Resources/ApplicationRole/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service")
                                .asText())
                .isEqualTo("kinesisanalytics.amazonaws.com");
    }

    @Test
    void grantsInvokeOnTheEndpointArnOnly() {
        JsonNode invoke = statement("InvokeTheEndpoint");
        assertThat(invoke.get("Action").asText()).isEqualTo("sagemaker:InvokeEndpointAsync");
        assertThat(invoke.at("/Resource/Fn::Sub").asText())
                .isEqualTo(
                        "arn:aws:sagemaker:${AWS::Region}:${AWS::AccountId}:endpoint/${EndpointName}");
    }

    @Test
    void grantsS3ActionsOnTheirPrefixesOnly() {
        assertThat(statement("UploadLargePayloads").get("Action").asText())
                .isEqualTo("s3:PutObject");
        assertThat(statement("UploadLargePayloads").at("/Resource/Fn::Sub").asText())
                .isEqualTo("arn:aws:s3:::${DataBucket}/${InputPrefix}/*");

        JsonNode list = statement("ListResultPrefixes");
        assertThat(list.get("Action").asText()).isEqualTo("s3:ListBucket");
        assertThat(list.at("/Resource/Fn::Sub").asText()).isEqualTo("arn:aws:s3:::${DataBucket}");
        assertThat(list.at("/Condition/StringLike/s3:prefix").findValuesAsText("Fn::Sub"))
                .contains("${OutputPrefix}/*", "${FailurePrefix}/*");

        JsonNode read = statement("ReadResults");
        assertThat(read.get("Action").asText()).isEqualTo("s3:GetObject");
        assertThat(read.get("Resource").findValuesAsText("Fn::Sub"))
                .containsExactly(
                        "arn:aws:s3:::${DataBucket}/${OutputPrefix}/*",
                        "arn:aws:s3:::${DataBucket}/${FailurePrefix}/*");
    }

    @Test
    void deleteAndKmsOnlyWhenSwitchedOn() {
        assertThat(STATEMENTS.get("DeleteConsumedObjects").at("/Fn::If/0").asText())
                .isEqualTo("CleanupEnabled");
        assertThat(statement("DeleteConsumedObjects").get("Action").asText())
                .isEqualTo("s3:DeleteObject");
        assertThat(STATEMENTS.get("UseTheKmsKey").at("/Fn::If/0").asText()).isEqualTo("KmsUsed");
        // No other statement may delete in the input, output or failure prefixes.
        STATEMENTS.forEach(
                (sid, statement) -> {
                    if (!sid.equals("DeleteConsumedObjects") && !sid.equals("WriteSinkFiles")) {
                        assertThat(statement.toString()).doesNotContain("s3:DeleteObject");
                    }
                });
        assertThat(statement("WriteSinkFiles").at("/Resource/Fn::Sub").asText())
                .isEqualTo("arn:aws:s3:::${DataBucket}/${SinkPrefix}/*");
    }
}
