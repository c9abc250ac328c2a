package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.TimeBucketPattern;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig.WatchedPrefix;

import org.apache.flink.configuration.Configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CloudFormation template in {@code examples/deploy} is valid JSON, runs Flink 2.2 in the MSK
 * cluster's VPC, configures the property groups the application validates, and its role grants the
 * documented least privilege: each action on exactly its resources, delete and KMS only when
 * switched on.
 *
 * <p>Grants are checked on the policy as CloudFormation would render it: a small evaluator below
 * resolves {@code Ref}, {@code Fn::Sub}, {@code Fn::Join}, {@code Fn::Split}, {@code Fn::Select},
 * {@code Fn::If} and the template's conditions for given parameter values.
 */
class CloudFormationTemplateTest {
    private static final String REGION = "eu-west-1";
    private static final String ACCOUNT = "123456789012";
    private static final String CLUSTER_ARN =
            "arn:aws:kafka:eu-west-1:123456789012:cluster/reviews-cluster/"
                    + "abcd1234-0123-abcd-5678-1234abcd-1";
    private static final String KAFKA = "arn:aws:kafka:eu-west-1:123456789012:";
    private static final String CLUSTER = "reviews-cluster/abcd1234-0123-abcd-5678-1234abcd-1";
    private static final String ENI = "arn:aws:ec2:eu-west-1:123456789012:network-interface/*";

    /** The application's default {@code sagemaker.output-path-extension} (AppSettings). */
    private static final String DEFAULT_EXTENSION = "enriched/{yyyy}/{MM}/{dd}/{HH}";

    /** The connector options that delete S3 objects. */
    private static final List<String> DELETING_OPTIONS =
            List.of(JoinOptions.CLEANUP.key(), WatchOptions.DELETE_CONSUMED.key());

    private static final Object NO_VALUE = new Object();

    private static JsonNode template;

    @BeforeAll
    static void read() throws Exception {
        template =
                new ObjectMapper()
                        .readTree(Path.of("deploy", "managed-flink.template.json").toFile());
    }

    // ---------------------------------------------------------------------------------------
    // Application

    @Test
    void runsFlink22WithTheApplicationsPropertyGroups() {
        JsonNode application = template.at("/Resources/Application");
        assertThat(application.get("Type").asText())
                .isEqualTo("AWS::KinesisAnalyticsV2::Application");
        assertThat(application.at("/Properties/RuntimeEnvironment").asText())
                .isEqualTo("FLINK-2_2");
        assertThat(
                        template.at(
                                        "/Resources/ApplicationRole/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service")
                                .asText())
                .isEqualTo("kinesisanalytics.amazonaws.com");

        Map<String, Map<String, String>> groups = new Stack(sample()).propertyGroups();
        assertThat(groups)
                .containsOnlyKeys("SageMakerEndpoint", "ConnectorOptions", "Source", "Sink");
        assertThat(groups.get("SageMakerEndpoint"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "sagemaker.endpoint-name", "my-endpoint",
                                "aws.region", REGION,
                                "sagemaker.output-path", "s3://data-bucket/async/output",
                                "sagemaker.failure-path", "s3://data-bucket/async/failure",
                                "sagemaker.s3.input-prefix", "s3://data-bucket/async/input"));
        assertThat(groups.get("ConnectorOptions"))
                .containsOnlyKeys("sagemaker.submit.capacity", "sagemaker.join.cleanup");
        assertThat(groups.get("Source"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "type", "kafka",
                                "bootstrap.servers", BOOTSTRAP,
                                "topic", "reviews",
                                "group.id", "sagemaker-async-enrichment",
                                "starting.offsets", "committed",
                                "security", "msk-iam"));
        assertThat(groups.get("Sink"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "type", "kafka",
                                "bootstrap.servers", BOOTSTRAP,
                                "topic", "enriched-reviews",
                                "dead-letter.topic", "reviews-dead-letter",
                                "transactional.id.prefix", "sagemaker-async-enrichment",
                                "security", "msk-iam"));

        // The application accepts exactly what the template configures, as on the service.
        Map<String, Properties> asService = new HashMap<>();
        groups.forEach(
                (id, map) -> {
                    Properties properties = new Properties();
                    properties.putAll(map);
                    asService.put(id, properties);
                });
        AppSettings settings = AppSettings.from(asService, false);
        assertThat(settings.input()).isInstanceOf(ReviewInput.Kafka.class);
        assertThat(((ReviewOutput.Kafka) settings.output()).connection().security())
                .isEqualTo(KafkaSecurity.MSK_IAM);
    }

    @Test
    void runsInTheGivenSubnetsAndSecurityGroups() {
        assertThat(template.at("/Parameters/SubnetIds/Type").asText())
                .isEqualTo("List<AWS::EC2::Subnet::Id>");
        assertThat(template.at("/Parameters/SecurityGroupIds/Type").asText())
                .isEqualTo("List<AWS::EC2::SecurityGroup::Id>");
        JsonNode vpc =
                template.at(
                        "/Resources/Application/Properties/ApplicationConfiguration/VpcConfigurations");
        assertThat(vpc.size()).isEqualTo(1);
        Stack stack = new Stack(sample());
        assertThat(stack.eval(vpc.get(0)))
                .isEqualTo(
                        Map.of(
                                "SubnetIds", List.of("subnet-0aaa", "subnet-0bbb"),
                                "SecurityGroupIds", List.of("sg-0ccc", "sg-0ddd")));
    }

    // ---------------------------------------------------------------------------------------
    // Least privilege, as rendered

    @Test
    void grantsEachActionOnExactlyItsResources() {
        Map<String, Set<String>> expected = new TreeMap<>();
        expected.put(
                "sagemaker:InvokeEndpointAsync",
                Set.of("arn:aws:sagemaker:eu-west-1:123456789012:endpoint/my-endpoint"));
        expected.put("s3:PutObject", Set.of("arn:aws:s3:::data-bucket/async/input/*"));
        expected.put("s3:ListBucket", Set.of("arn:aws:s3:::data-bucket"));
        expected.put(
                "s3:GetObject",
                Set.of(
                        "arn:aws:s3:::data-bucket/async/output/*",
                        "arn:aws:s3:::data-bucket/async/failure/*",
                        "arn:aws:s3:::code-bucket/app.jar"));
        expected.put("kafka-cluster:Connect", Set.of(CLUSTER_ARN));
        expected.put("kafka-cluster:WriteDataIdempotently", Set.of(CLUSTER_ARN));
        expected.put(
                "kafka-cluster:DescribeTopic",
                Set.of(
                        KAFKA + "topic/" + CLUSTER + "/reviews",
                        KAFKA + "topic/" + CLUSTER + "/enriched-reviews",
                        KAFKA + "topic/" + CLUSTER + "/reviews-dead-letter"));
        expected.put("kafka-cluster:ReadData", Set.of(KAFKA + "topic/" + CLUSTER + "/reviews"));
        expected.put(
                "kafka-cluster:WriteData",
                Set.of(
                        KAFKA + "topic/" + CLUSTER + "/enriched-reviews",
                        KAFKA + "topic/" + CLUSTER + "/reviews-dead-letter"));
        expected.put(
                "kafka-cluster:DescribeGroup",
                Set.of(KAFKA + "group/" + CLUSTER + "/sagemaker-async-enrichment"));
        expected.put(
                "kafka-cluster:AlterGroup",
                Set.of(KAFKA + "group/" + CLUSTER + "/sagemaker-async-enrichment"));
        expected.put(
                "kafka-cluster:DescribeTransactionalId",
                Set.of(KAFKA + "transactional-id/" + CLUSTER + "/sagemaker-async-enrichment*"));
        expected.put(
                "kafka-cluster:AlterTransactionalId",
                Set.of(KAFKA + "transactional-id/" + CLUSTER + "/sagemaker-async-enrichment*"));
        for (String describe :
                List.of(
                        "ec2:DescribeVpcs",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups",
                        "ec2:DescribeDhcpOptions",
                        "ec2:DescribeNetworkInterfaces")) {
            expected.put(describe, Set.of("*")); // no resource-level permissions
        }
        expected.put(
                "ec2:CreateNetworkInterface",
                Set.of(
                        ENI,
                        "arn:aws:ec2:*:*:subnet/subnet-0aaa",
                        "arn:aws:ec2:*:*:subnet/subnet-0bbb",
                        "arn:aws:ec2:*:*:security-group/sg-0ccc",
                        "arn:aws:ec2:*:*:security-group/sg-0ddd"));
        expected.put("ec2:CreateNetworkInterfacePermission", Set.of(ENI));
        expected.put("ec2:DeleteNetworkInterface", Set.of(ENI));

        List<Map<String, Object>> policy = new Stack(sample()).policy();
        assertThat(grants(policy)).isEqualTo(expected);
        policy.forEach(statement -> assertThat(statement.get("Effect")).isEqualTo("Allow"));
        // Without a KMS key, only the ListBucket grant carries a condition.
        policy.stream()
                .filter(statement -> statement.containsKey("Condition"))
                .forEach(
                        statement ->
                                assertThat(statement.get("Sid")).isEqualTo("ListResultPrefixes"));
    }

    @Test
    void grantsTheVpcPermissionsManagedFlinkDocuments() {
        Set<String> ec2 = new TreeSet<>();
        grants(new Stack(sample()).policy()).keySet().stream()
                .filter(action -> action.startsWith("ec2:"))
                .forEach(ec2::add);
        // docs.aws.amazon.com/managed-flink/latest/java/vpc-permissions.html
        assertThat(ec2)
                .containsExactlyInAnyOrder(
                        "ec2:DescribeVpcs",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups",
                        "ec2:DescribeDhcpOptions",
                        "ec2:CreateNetworkInterface",
                        "ec2:CreateNetworkInterfacePermission",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DeleteNetworkInterface");
    }

    @Test
    void grantsTheKafkaActionsOfATransactionalConsumerAndProducer() {
        // docs.aws.amazon.com/msk/latest/developerguide/iam-access-control-use-cases.html:
        // "Consume data" and "Produce data transactionally" (plus idempotently).
        Map<String, Set<String>> grants = grants(new Stack(sample()).policy());
        assertThat(grants.keySet())
                .filteredOn(action -> action.startsWith("kafka-cluster:"))
                .containsExactlyInAnyOrder(
                        "kafka-cluster:Connect",
                        "kafka-cluster:DescribeTopic",
                        "kafka-cluster:DescribeGroup",
                        "kafka-cluster:AlterGroup",
                        "kafka-cluster:ReadData",
                        "kafka-cluster:WriteData",
                        "kafka-cluster:WriteDataIdempotently",
                        "kafka-cluster:DescribeTransactionalId",
                        "kafka-cluster:AlterTransactionalId");
        // Other names, other ARNs: the grants follow the parameters.
        Map<String, Object> params = sample();
        params.put("InputTopic", "in");
        params.put("OutputTopic", "out");
        params.put("DeadLetterTopic", "dead");
        params.put("ConsumerGroup", "g");
        params.put("TransactionalIdPrefix", "tx");
        Map<String, Set<String>> renamed = grants(new Stack(params).policy());
        assertThat(renamed.get("kafka-cluster:ReadData"))
                .containsExactly(KAFKA + "topic/" + CLUSTER + "/in");
        assertThat(renamed.get("kafka-cluster:WriteData"))
                .containsExactlyInAnyOrder(
                        KAFKA + "topic/" + CLUSTER + "/out", KAFKA + "topic/" + CLUSTER + "/dead");
        assertThat(renamed.get("kafka-cluster:AlterGroup"))
                .containsExactly(KAFKA + "group/" + CLUSTER + "/g");
        assertThat(renamed.get("kafka-cluster:AlterTransactionalId"))
                .containsExactly(KAFKA + "transactional-id/" + CLUSTER + "/tx*");
    }

    @Test
    void refusesParameterValuesThatWouldWidenOrBreakTheGrants() {
        assertThat(allowed("MskClusterArn", CLUSTER_ARN)).isTrue();
        assertThat(allowed("MskClusterArn", KAFKA + "topic/" + CLUSTER + "/reviews")).isFalse();
        assertThat(allowed("MskClusterArn", "arn:aws:kafka:eu-west-1:123456789012:cluster/*"))
                .isFalse();
        assertThat(allowed("MskBootstrapServers", BOOTSTRAP)).isTrue();
        assertThat(allowed("MskBootstrapServers", "b-1.reviews.kafka.eu-west-1.amazonaws.com:9092"))
                .isFalse();
        assertThat(allowed("MskBootstrapServers", "b-1.reviews.kafka.eu-west-1.amazonaws.com:9198"))
                .isFalse();
        for (String name :
                List.of(
                        "InputTopic",
                        "OutputTopic",
                        "DeadLetterTopic",
                        "ConsumerGroup",
                        "TransactionalIdPrefix")) {
            assertThat(allowed(name, template.at("/Parameters/" + name + "/Default").asText()))
                    .as(name)
                    .isTrue();
            assertThat(allowed(name, "*")).as(name).isFalse();
            assertThat(allowed(name, "reviews*")).as(name).isFalse();
            assertThat(allowed(name, "")).as(name).isFalse();
        }
        for (String name : List.of("InputPrefix", "OutputPrefix", "FailurePrefix")) {
            assertThat(allowed(name, template.at("/Parameters/" + name + "/Default").asText()))
                    .as(name)
                    .isTrue();
            assertThat(allowed(name, "async")).as(name).isTrue();
            for (String bad :
                    List.of(
                            "",
                            "/async/output",
                            "async/output/",
                            "async//output",
                            "async/*",
                            "*")) {
                assertThat(allowed(name, bad)).as("%s = '%s'", name, bad).isFalse();
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Mends of the security review

    /** (a) CloudFormation cannot lower-case the name for the ARN, so capitals are refused. */
    @Test
    void refusesEndpointNamesWithCapitals() {
        assertThat(template.at("/Parameters/EndpointName/AllowedPattern").asText())
                .isEqualTo("^[a-z0-9](-*[a-z0-9]){0,62}$");
        assertThat(allowed("EndpointName", "MyEndpoint")).isFalse();
        assertThat(allowed("EndpointName", "my-Endpoint")).isFalse();
        assertThat(allowed("EndpointName", "my-endpoint-1")).isTrue();
        assertThat(allowed("EndpointName", "a".repeat(63))).isTrue();
        assertThat(allowed("EndpointName", "a".repeat(64))).isFalse();
        assertThat(allowed("EndpointName", "-endpoint")).isFalse();
        assertThat(allowed("EndpointName", "endpoint-")).isFalse();
        assertThat(template.at("/Parameters/EndpointName/ConstraintDescription").asText())
                .contains("lower case")
                .contains("ARN");
        // The endpoint name goes into the ARN as given.
        assertThat(resourcesOf(new Stack(sample()).policy(), "sagemaker:InvokeEndpointAsync"))
                .containsExactly("arn:aws:sagemaker:eu-west-1:123456789012:endpoint/my-endpoint");
    }

    /** (b) The KMS key is usable only through S3 in the stack's region. */
    @Test
    void grantsTheKmsKeyOnlyThroughS3AndOnlyWhenSet() {
        assertThat(grants(new Stack(sample()).policy()).keySet())
                .noneMatch(action -> action.startsWith("kms:"));

        Map<String, Object> params = sample();
        params.put("KmsKeyArn", "arn:aws:kms:eu-west-1:123456789012:key/k-1");
        List<Map<String, Object>> policy = new Stack(params).policy();
        List<Map<String, Object>> kms =
                policy.stream()
                        .filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("kms:")))
                        .toList();
        assertThat(kms).hasSize(1);
        Map<String, Object> statement = kms.get(0);
        assertThat(actions(statement))
                .containsExactlyInAnyOrder("kms:GenerateDataKey", "kms:Decrypt");
        assertThat(strings(statement.get("Resource")))
                .containsExactly("arn:aws:kms:eu-west-1:123456789012:key/k-1");
        assertThat(statement.get("Condition"))
                .isEqualTo(
                        Map.of(
                                "StringEquals",
                                Map.of("kms:ViaService", "s3." + REGION + ".amazonaws.com")));
    }

    /**
     * (c) Only {@code Cleanup=true} grants {@code s3:DeleteObject}, and the connector options that
     * delete follow that same parameter.
     */
    @Test
    void deletesOnlyWhenCleanupIsOnAndOnlyThroughTheCleanupParameter() {
        JsonNode connectorOptions = propertyMap("ConnectorOptions");
        for (String option : DELETING_OPTIONS) {
            JsonNode value = connectorOptions.get(option);
            if (value != null) {
                assertThat(value.toString())
                        .as("%s must be driven by the Cleanup parameter", option)
                        .isEqualTo("{\"Ref\":\"Cleanup\"}");
            }
        }
        for (String cleanup : List.of("true", "false")) {
            Map<String, Object> params = sample();
            params.put("Cleanup", cleanup);
            Stack stack = new Stack(params);
            Map<String, String> options = stack.propertyGroups().get("ConnectorOptions");
            boolean deletes =
                    DELETING_OPTIONS.stream()
                            .anyMatch(option -> "true".equals(options.get(option)));
            assertThat(deletes).as("Cleanup=%s", cleanup).isEqualTo(cleanup.equals("true"));
            Set<String> deleteGrants = resourcesOf(stack.policy(), "s3:DeleteObject");
            if (deletes) {
                assertThat(deleteGrants)
                        .containsExactlyInAnyOrder(
                                "arn:aws:s3:::data-bucket/async/input/*",
                                "arn:aws:s3:::data-bucket/async/output/*",
                                "arn:aws:s3:::data-bucket/async/failure/*");
            } else {
                assertThat(deleteGrants).as("Cleanup=false").isEmpty();
            }
        }
        // Whatever the parameters: no statement but the guarded one may delete, also not through
        // a wildcard (every branch of every Fn::If counts).
        List<JsonNode> deleting = new ArrayList<>();
        for (JsonNode statement : rawStatements()) {
            if (rawActions(statement).stream()
                    .anyMatch(action -> iamMatches(action, "s3:DeleteObject", true))) {
                deleting.add(statement);
            }
        }
        assertThat(deleting).hasSize(1);
        assertThat(deleting.get(0).get("Sid").asText()).isEqualTo("DeleteConsumedObjects");
    }

    /**
     * (d) The prefix-conditioned {@code s3:ListBucket} grant allows every listing the connector
     * makes: the watch source's time buckets below the output and failure prefixes, the objects
     * directly below the failure prefix, whole prefixes without time buckets, and the exact-key
     * lookups at the deadline.
     */
    @Test
    void listBucketConditionCoversEveryPrefixTheConnectorLists() {
        Stack stack = new Stack(sample());
        Map<String, String> endpoint = stack.propertyGroups().get("SageMakerEndpoint");
        // The application then uses its default extension.
        assertThat(endpoint)
                .doesNotContainKey("sagemaker.output-path-extension")
                .doesNotContainKey("output.path.extension");
        List<String> allowedPrefixes = listBucketPrefixes(stack.policy());

        long now = Instant.parse("2025-03-04T05:06:07Z").toEpochMilli();
        Set<String> listed = new TreeSet<>();
        for (String extension : List.of(DEFAULT_EXTENSION, "enriched")) {
            Configuration configuration = new Configuration();
            configuration.set(AwsConfigOptions.AWS_REGION, REGION);
            configuration.set(WatchOptions.OUTPUT_PATH, endpoint.get("sagemaker.output-path"));
            configuration.set(WatchOptions.FAILURE_PATH, endpoint.get("sagemaker.failure-path"));
            if (extension.contains("{")) { // as SageMakerAsyncInference derives it
                configuration.set(WatchOptions.TIME_BUCKETS, extension);
            }
            WatchConfig watch = WatchConfig.from(configuration);
            TimeBucketPattern buckets = watch.timeBuckets();
            for (WatchedPrefix prefix : watch.prefixes()) {
                assertThat(prefix.root().bucket()).isEqualTo("data-bucket");
                S3Location directory = prefix.directory();
                String resultDirectory;
                if (buckets == null) {
                    listed.add(directory.key());
                    resultDirectory = directory.key();
                } else {
                    for (String bucket :
                            buckets.bucketsBetween(
                                    now - Duration.ofHours(3).toMillis(),
                                    now + Duration.ofHours(1).toMillis())) {
                        listed.add(directory.child(bucket + "/").key());
                    }
                    if (prefix.listsDirectChildren(buckets)) {
                        listed.add(directory.key());
                    }
                    resultDirectory = directory.child(buckets.render(now) + "/").key();
                }
                // ResultLocationCheck: ListObjectsV2 with the exact key of a returned location.
                String key =
                        resultDirectory
                                + "0f8fad5b-d9cb-469f-a165-70867728950e"
                                + (prefix.status() == ResultStatus.MODEL_ERROR
                                        ? "-error.out"
                                        : ".out");
                assertThat(watch.watches(new S3Location("data-bucket", key))).isTrue();
                listed.add(key);
            }
        }
        assertThat(listed)
                .contains(
                        "async/output/enriched/2025/03/04/05/",
                        "async/failure/enriched/2025/03/04/05/",
                        "async/failure/",
                        "async/output/",
                        "async/output/enriched/2025/03/04/05/0f8fad5b-d9cb-469f-a165-70867728950e.out");
        for (String prefix : listed) {
            assertThat(allowedPrefixes)
                    .as("s3:prefix '%s'", prefix)
                    .anyMatch(pattern -> iamMatches(pattern, prefix, false));
        }
        // And nothing else of the bucket.
        for (String other :
                List.of("", "async/", "async/input/", "async/outputs/", "reviews/", "other")) {
            assertThat(allowedPrefixes)
                    .as("s3:prefix '%s'", other)
                    .noneMatch(pattern -> iamMatches(pattern, other, false));
        }
    }

    // ---------------------------------------------------------------------------------------
    // Completion mode SQS

    private static final String QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:CompletionQueue";
    private static final String QUEUE_URL =
            "https://sqs.eu-west-1.amazonaws.com/123456789012/CompletionQueue";
    private static final String DEAD_LETTER_QUEUE_ARN =
            "arn:aws:sqs:eu-west-1:123456789012:CompletionDeadLetterQueue";
    private static final String SUCCESS_TOPIC = "arn:aws:sns:eu-west-1:123456789012:SuccessTopic";
    private static final String ERROR_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ErrorTopic";
    private static final List<String> SQS_MODE_RESOURCES =
            List.of(
                    "SuccessTopic",
                    "ErrorTopic",
                    "CompletionQueue",
                    "CompletionDeadLetterQueue",
                    "CompletionQueuePolicy",
                    "SuccessSubscription",
                    "ErrorSubscription");

    private static Map<String, Object> sqsMode() {
        Map<String, Object> params = sample();
        params.put("CompletionMode", "SQS");
        return params;
    }

    @Test
    void completionModeSqsIsAConditionAndListingStaysTheDefault() {
        assertThat(template.at("/Parameters/CompletionMode/Default").asText())
                .isEqualTo("S3_LISTING");
        assertThat(template.at("/Parameters/CompletionMode/AllowedValues").toString())
                .isEqualTo("[\"S3_LISTING\",\"SQS\"]");
        assertThat(template.at("/Conditions/SqsCompletion").toString())
                .isEqualTo("{\"Fn::Equals\":[{\"Ref\":\"CompletionMode\"},\"SQS\"]}");
        for (String resource : SQS_MODE_RESOURCES) {
            assertThat(template.at("/Resources/" + resource + "/Condition").asText())
                    .as(resource)
                    .isEqualTo("SqsCompletion");
        }

        // The default renders the stack as before: no topic, no queue, no SQS grant or option.
        Stack listing = new Stack(sample());
        assertThat(listing.resources()).containsOnlyKeys("ApplicationRole", "Application");
        assertThat(grants(listing.policy()).keySet()).noneMatch(a -> a.startsWith("sqs:"));
        assertThat(listing.propertyGroups().get("ConnectorOptions"))
                .containsOnlyKeys("sagemaker.submit.capacity", "sagemaker.join.cleanup");
        assertThat(listing.outputs()).containsOnlyKeys("ApplicationName", "ApplicationRoleArn");

        Stack sqs = new Stack(sqsMode());
        assertThat(sqs.resources().keySet())
                .containsExactlyInAnyOrderElementsOf(
                        concat(List.of("ApplicationRole", "Application"), SQS_MODE_RESOURCES));
        assertThat(sqs.outputs())
                .containsEntry("SuccessTopicArn", SUCCESS_TOPIC)
                .containsEntry("ErrorTopicArn", ERROR_TOPIC)
                .containsEntry("CompletionQueueUrl", QUEUE_URL);
    }

    @Test
    @SuppressWarnings("unchecked")
    void inSqsModeCreatesTopicsAndAQueueThatSurvivesDowntimeAndCheckpoints() {
        Map<String, Map<String, Object>> resources = new Stack(sqsMode()).resources();
        assertThat(resources.get("SuccessTopic").get("Type")).isEqualTo("AWS::SNS::Topic");
        assertThat(resources.get("ErrorTopic").get("Type")).isEqualTo("AWS::SNS::Topic");

        Map<String, Object> queue = resources.get("CompletionQueue");
        assertThat(queue.get("Type")).isEqualTo("AWS::SQS::Queue");
        Map<String, Object> properties = (Map<String, Object>) queue.get("Properties");
        // The longest downtime the job survives without losing completions: the maximum.
        assertThat(properties.get("MessageRetentionPeriod"))
                .isEqualTo(String.valueOf(Duration.ofDays(14).toSeconds()));
        // Messages are deleted after the checkpoint covering their emission: above the
        // service's default checkpoint interval of 60 s (CheckpointConfiguration DEFAULT).
        assertThat(
                        template.at(
                                        "/Resources/Application/Properties/ApplicationConfiguration/FlinkApplicationConfiguration/CheckpointConfiguration/ConfigurationType")
                                .asText())
                .isEqualTo("DEFAULT");
        assertThat(Integer.parseInt((String) properties.get("VisibilityTimeout")))
                .isGreaterThan(60)
                .isLessThanOrEqualTo(43_200);
        assertThat(properties.get("SqsManagedSseEnabled")).isEqualTo("true");
        assertThat(properties.get("RedrivePolicy"))
                .isEqualTo(
                        Map.of(
                                "deadLetterTargetArn",
                                DEAD_LETTER_QUEUE_ARN,
                                "maxReceiveCount",
                                "5"));

        Map<String, Object> deadLetters =
                (Map<String, Object>) resources.get("CompletionDeadLetterQueue").get("Properties");
        assertThat(resources.get("CompletionDeadLetterQueue").get("Type"))
                .isEqualTo("AWS::SQS::Queue");
        assertThat(deadLetters.get("MessageRetentionPeriod"))
                .isEqualTo(String.valueOf(Duration.ofDays(14).toSeconds()));
        assertThat(deadLetters).doesNotContainKey("RedrivePolicy");
    }

    @Test
    @SuppressWarnings("unchecked")
    void subscribesTheQueueToBothTopicsWithRawMessageDelivery() {
        Map<String, Map<String, Object>> resources = new Stack(sqsMode()).resources();
        Set<String> topics = new TreeSet<>();
        for (String name : List.of("SuccessSubscription", "ErrorSubscription")) {
            Map<String, Object> subscription = resources.get(name);
            assertThat(subscription.get("Type")).isEqualTo("AWS::SNS::Subscription");
            // Delivered once the queue admits the topics.
            assertThat(subscription.get("DependsOn")).isEqualTo("CompletionQueuePolicy");
            Map<String, Object> properties = (Map<String, Object>) subscription.get("Properties");
            assertThat(properties)
                    .containsEntry("Protocol", "sqs")
                    .containsEntry("Endpoint", QUEUE_ARN)
                    .containsEntry("RawMessageDelivery", "true");
            assertThat(
                            template.at("/Resources/" + name + "/Properties/RawMessageDelivery")
                                    .isBoolean())
                    .as("RawMessageDelivery of %s is a JSON boolean", name)
                    .isTrue();
            topics.add((String) properties.get("TopicArn"));
        }
        assertThat(topics).containsExactlyInAnyOrder(SUCCESS_TOPIC, ERROR_TOPIC);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theQueueAdmitsOnlySnsSendingFromTheTwoTopics() {
        Map<String, Object> policy =
                (Map<String, Object>) new Stack(sqsMode()).resources().get("CompletionQueuePolicy");
        assertThat(policy.get("Type")).isEqualTo("AWS::SQS::QueuePolicy");
        Map<String, Object> properties = (Map<String, Object>) policy.get("Properties");
        assertThat(properties.get("Queues")).isEqualTo(List.of(QUEUE_URL));
        List<Map<String, Object>> statements =
                (List<Map<String, Object>>)
                        ((Map<String, Object>) properties.get("PolicyDocument")).get("Statement");
        assertThat(statements).hasSize(1);
        Map<String, Object> statement = statements.get(0);
        assertThat(statement.get("Effect")).isEqualTo("Allow");
        assertThat(statement.get("Principal")).isEqualTo(Map.of("Service", "sns.amazonaws.com"));
        assertThat(actions(statement)).containsExactly("sqs:SendMessage");
        assertThat(strings(statement.get("Resource"))).containsExactly(QUEUE_ARN);
        Map<String, Object> condition = (Map<String, Object>) statement.get("Condition");
        assertThat(condition).containsOnlyKeys("ArnEquals");
        Map<String, Object> arnEquals = (Map<String, Object>) condition.get("ArnEquals");
        assertThat(arnEquals).containsOnlyKeys("aws:SourceArn");
        assertThat(strings(arnEquals.get("aws:SourceArn")))
                .containsExactlyInAnyOrder(SUCCESS_TOPIC, ERROR_TOPIC);
    }

    @Test
    void grantsTheQueueActionsOnTheQueueOnly() {
        List<Map<String, Object>> listing = new Stack(sample()).policy();
        List<Map<String, Object>> policy = new Stack(sqsMode()).policy();

        Map<String, Set<String>> expected = new TreeMap<>(grants(listing));
        for (String action :
                List.of(
                        "sqs:ReceiveMessage",
                        "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility",
                        "sqs:GetQueueAttributes")) {
            expected.put(action, Set.of(QUEUE_ARN));
        }
        // SQS mode adds the queue grants and changes nothing else (the deadline still looks in
        // S3, and responses over 128 KB are still read from it).
        assertThat(grants(policy)).isEqualTo(expected);
        List<Map<String, Object>> sqs =
                policy.stream()
                        .filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("sqs:")))
                        .toList();
        assertThat(sqs).hasSize(1);
        assertThat(sqs.get(0).get("Sid")).isEqualTo("ReceiveCompletionNotifications");
        assertThat(sqs.get(0)).doesNotContainKey("Condition");

        // Whatever the parameters: no SQS action or resource written with a wildcard, and the
        // queue grants exist only in the SqsCompletion branch.
        for (JsonNode statement : rawStatements()) {
            if (rawActions(statement).stream().anyMatch(a -> a.startsWith("sqs:"))) {
                assertThat(rawActions(statement)).noneMatch(a -> a.contains("*"));
                assertThat(statement.get("Resource").toString())
                        .isEqualTo("{\"Fn::GetAtt\":[\"CompletionQueue\",\"Arn\"]}");
            }
        }
        long guarded = 0;
        for (JsonNode statement :
                template.at(
                        "/Resources/ApplicationRole/Properties/Policies/0/PolicyDocument/Statement")) {
            if (statement.has("Fn::If")
                    && statement.get("Fn::If").get(0).asText().equals("SqsCompletion")) {
                assertThat(statement.get("Fn::If").get(2).toString())
                        .isEqualTo("{\"Ref\":\"AWS::NoValue\"}");
                guarded++;
            }
        }
        assertThat(guarded).isEqualTo(1);
        assertThat(resourcesOf(listing, "sqs:ReceiveMessage")).isEmpty();
    }

    @Test
    void passesTheCompletionModeAndQueueToTheConnector() {
        Map<String, Map<String, String>> groups = new Stack(sqsMode()).propertyGroups();
        assertThat(groups.get("ConnectorOptions"))
                .containsEntry("sagemaker.completion.mode", "SQS")
                .containsEntry("sagemaker.completion.sqs.queue-url", QUEUE_URL);

        Map<String, Properties> asService = new HashMap<>();
        groups.forEach(
                (id, map) -> {
                    Properties properties = new Properties();
                    properties.putAll(map);
                    asService.put(id, properties);
                });
        assertThat(AppSettings.from(asService, false).connectorConfiguration().toMap())
                .containsEntry("sagemaker.completion.mode", "SQS")
                .containsEntry("sagemaker.completion.sqs.queue-url", QUEUE_URL);
    }

    @Test
    void outputsTheNotificationConfigToSetOnTheEndpointConfig() throws Exception {
        String notification = new Stack(sqsMode()).outputs().get("NotificationConfig");
        JsonNode config = new ObjectMapper().readTree(notification);
        assertThat(config.get("SuccessTopic").asText()).isEqualTo(SUCCESS_TOPIC);
        assertThat(config.get("ErrorTopic").asText()).isEqualTo(ERROR_TOPIC);
        assertThat(config.get("IncludeInferenceResponseIn").toString())
                .isEqualTo("[\"SUCCESS_NOTIFICATION_TOPIC\"]");
        assertThat(template.at("/Parameters/CompletionMode/Description").asText())
                .contains("NotificationConfig")
                .contains("sns:Publish");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---------------------------------------------------------------------------------------
    // Helpers

    private static final String BOOTSTRAP =
            "b-1.reviewscluster.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,"
                    + "b-2.reviewscluster.abc123.c2.kafka.eu-west-1.amazonaws.com:9098";

    private static Map<String, Object> sample() {
        Map<String, Object> params = new HashMap<>();
        params.put("CodeBucket", "code-bucket");
        params.put("CodeKey", "app.jar");
        params.put("EndpointName", "my-endpoint");
        params.put("DataBucket", "data-bucket");
        params.put("MskClusterArn", CLUSTER_ARN);
        params.put("MskBootstrapServers", BOOTSTRAP);
        params.put("SubnetIds", List.of("subnet-0aaa", "subnet-0bbb"));
        params.put("SecurityGroupIds", List.of("sg-0ccc", "sg-0ddd"));
        return params;
    }

    /** Whether CloudFormation accepts {@code value} for the parameter's AllowedPattern. */
    private static boolean allowed(String parameter, String value) {
        JsonNode pattern = template.at("/Parameters/" + parameter + "/AllowedPattern");
        assertThat(pattern.isTextual()).as("AllowedPattern of %s", parameter).isTrue();
        return Pattern.compile(pattern.asText()).matcher(value).matches();
    }

    private static JsonNode propertyMap(String groupId) {
        for (JsonNode group :
                template.at(
                        "/Resources/Application/Properties/ApplicationConfiguration/EnvironmentProperties/PropertyGroups")) {
            if (group.get("PropertyGroupId").asText().equals(groupId)) {
                return group.get("PropertyMap");
            }
        }
        throw new AssertionError("No property group " + groupId);
    }

    /** Every statement of the template, of both branches of an {@code Fn::If}. */
    private static List<JsonNode> rawStatements() {
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode statement :
                template.at(
                        "/Resources/ApplicationRole/Properties/Policies/0/PolicyDocument/Statement")) {
            collectStatements(statement, statements);
        }
        return statements;
    }

    private static void collectStatements(JsonNode node, List<JsonNode> into) {
        if (node.has("Fn::If")) {
            collectStatements(node.get("Fn::If").get(1), into);
            collectStatements(node.get("Fn::If").get(2), into);
        } else if (node.has("Action")) {
            into.add(node);
        }
    }

    private static List<String> rawActions(JsonNode statement) {
        List<String> actions = new ArrayList<>();
        JsonNode action = statement.get("Action");
        if (action.isArray()) {
            action.forEach(a -> actions.add(a.asText()));
        } else {
            actions.add(action.asText());
        }
        return actions;
    }

    /** Per action, the resources the rendered policy grants it on. */
    private static Map<String, Set<String>> grants(List<Map<String, Object>> policy) {
        Map<String, Set<String>> grants = new TreeMap<>();
        for (Map<String, Object> statement : policy) {
            for (String action : actions(statement)) {
                grants.computeIfAbsent(action, a -> new TreeSet<>())
                        .addAll(strings(statement.get("Resource")));
            }
        }
        return grants;
    }

    /** The resources of every statement whose actions match {@code action}, wildcards included. */
    private static Set<String> resourcesOf(List<Map<String, Object>> policy, String action) {
        Set<String> resources = new TreeSet<>();
        for (Map<String, Object> statement : policy) {
            if (actions(statement).stream().anyMatch(a -> iamMatches(a, action, true))) {
                resources.addAll(strings(statement.get("Resource")));
            }
        }
        return resources;
    }

    @SuppressWarnings("unchecked")
    private static List<String> listBucketPrefixes(List<Map<String, Object>> policy) {
        List<Map<String, Object>> list =
                policy.stream().filter(s -> actions(s).contains("s3:ListBucket")).toList();
        assertThat(list).hasSize(1);
        Map<String, Object> condition = (Map<String, Object>) list.get(0).get("Condition");
        assertThat(condition).containsOnlyKeys("StringLike");
        Map<String, Object> stringLike = (Map<String, Object>) condition.get("StringLike");
        assertThat(stringLike).containsOnlyKeys("s3:prefix");
        return strings(stringLike.get("s3:prefix"));
    }

    private static List<String> actions(Map<String, Object> statement) {
        return strings(statement.get("Action"));
    }

    private static List<String> strings(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }

    /**
     * IAM's matching of an action, resource or StringLike pattern: {@code *} is any run of
     * characters, {@code ?} one character; actions ignore case.
     */
    private static boolean iamMatches(String pattern, String value, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0)
                .matcher(value)
                .matches();
    }

    /** The template rendered for given parameter values, as far as these tests need. */
    private static final class Stack {
        private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
        private final Map<String, Object> parameters = new HashMap<>();

        Stack(Map<String, Object> values) {
            Iterator<Map.Entry<String, JsonNode>> declared = template.get("Parameters").fields();
            while (declared.hasNext()) {
                Map.Entry<String, JsonNode> parameter = declared.next();
                JsonNode fallback = parameter.getValue().get("Default");
                if (values.containsKey(parameter.getKey())) {
                    parameters.put(parameter.getKey(), values.get(parameter.getKey()));
                } else if (fallback != null) {
                    parameters.put(parameter.getKey(), fallback.asText());
                }
            }
            assertThat(parameters.keySet()).containsAll(values.keySet());
            parameters.put("AWS::Region", REGION);
            parameters.put("AWS::AccountId", ACCOUNT);
            parameters.put("AWS::Partition", "aws");
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> policy() {
            return (List<Map<String, Object>>)
                    eval(
                            template.at(
                                    "/Resources/ApplicationRole/Properties/Policies/0/PolicyDocument/Statement"));
        }

        @SuppressWarnings("unchecked")
        Map<String, Map<String, String>> propertyGroups() {
            Map<String, Map<String, String>> groups = new LinkedHashMap<>();
            for (Object group :
                    (List<Object>)
                            eval(
                                    template.at(
                                            "/Resources/Application/Properties/ApplicationConfiguration/EnvironmentProperties/PropertyGroups"))) {
                Map<String, Object> g = (Map<String, Object>) group;
                Map<String, String> properties = new LinkedHashMap<>();
                ((Map<String, Object>) g.get("PropertyMap"))
                        .forEach((key, value) -> properties.put(key, (String) value));
                groups.put((String) g.get("PropertyGroupId"), properties);
            }
            return groups;
        }

        Object eval(JsonNode node) {
            if (node.isValueNode()) {
                return node.asText();
            }
            if (node.isArray()) {
                List<Object> values = new ArrayList<>();
                for (JsonNode element : node) {
                    Object value = eval(element);
                    if (value != NO_VALUE) {
                        values.add(value);
                    }
                }
                return values;
            }
            if (node.size() == 1) {
                String function = node.fieldNames().next();
                JsonNode argument = node.get(function);
                switch (function) {
                    case "Ref":
                        return ref(argument.asText());
                    case "Fn::Sub":
                        return argument.isArray()
                                ? sub(argument.get(0).asText(), variables(argument.get(1)))
                                : sub(argument.asText(), Map.of());
                    case "Fn::Join":
                        assertThat(argument.get(0).isTextual())
                                .as("Fn::Join takes a literal delimiter")
                                .isTrue();
                        return String.join(
                                argument.get(0).asText(), strings(eval(argument.get(1))));
                    case "Fn::Split":
                        return Arrays.asList(
                                ((String) eval(argument.get(1)))
                                        .split(Pattern.quote(argument.get(0).asText()), -1));
                    case "Fn::Select":
                        return ((List<?>) eval(argument.get(1)))
                                .get(Integer.parseInt((String) eval(argument.get(0))));
                    case "Fn::If":
                        return condition(argument.get(0).asText())
                                ? eval(argument.get(1))
                                : eval(argument.get(2));
                    case "Fn::Equals":
                        return Objects.equals(eval(argument.get(0)), eval(argument.get(1)));
                    case "Fn::Not":
                        return !(Boolean) eval(argument.get(0));
                    case "Fn::GetAtt":
                        return getAtt(argument.get(0).asText(), argument.get(1).asText());
                    default:
                        assertThat(function).as("unsupported intrinsic").doesNotStartWith("Fn::");
                }
            }
            Map<String, Object> values = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                Object value = eval(field.getValue());
                if (value != NO_VALUE) {
                    values.put(field.getKey(), value);
                }
            }
            return values;
        }

        private boolean condition(String name) {
            JsonNode definition = template.at("/Conditions/" + name);
            assertThat(definition.isMissingNode()).as("condition %s", name).isFalse();
            return (Boolean) eval(definition);
        }

        /** The resources the stack creates, rendered, by logical id. */
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> resources() {
            Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
            template.get("Resources")
                    .fields()
                    .forEachRemaining(
                            resource -> {
                                if (created(resource.getKey())) {
                                    resources.put(
                                            resource.getKey(),
                                            (Map<String, Object>) eval(resource.getValue()));
                                }
                            });
            return resources;
        }

        /** The stack's outputs, rendered, by name. */
        Map<String, String> outputs() {
            Map<String, String> outputs = new LinkedHashMap<>();
            template.get("Outputs")
                    .fields()
                    .forEachRemaining(
                            output -> {
                                JsonNode guard = output.getValue().get("Condition");
                                if (guard == null || condition(guard.asText())) {
                                    outputs.put(
                                            output.getKey(),
                                            (String) eval(output.getValue().get("Value")));
                                }
                            });
            return outputs;
        }

        private boolean created(String resource) {
            JsonNode guard = template.at("/Resources/" + resource + "/Condition");
            return guard.isMissingNode() || condition(guard.asText());
        }

        /** A resource's {@code Ref}, as CloudFormation returns it for the types used. */
        private String resourceRef(String resource) {
            assertThat(created(resource))
                    .as("Ref to %s, which this stack does not create", resource)
                    .isTrue();
            String type = template.at("/Resources/" + resource + "/Type").asText();
            return switch (type) {
                case "AWS::SQS::Queue" ->
                        "https://sqs." + REGION + ".amazonaws.com/" + ACCOUNT + "/" + resource;
                case "AWS::SNS::Topic" -> "arn:aws:sns:" + REGION + ":" + ACCOUNT + ":" + resource;
                default -> resource;
            };
        }

        private String getAtt(String resource, String attribute) {
            assertThat(template.at("/Resources/" + resource).isMissingNode())
                    .as("Fn::GetAtt of %s", resource)
                    .isFalse();
            assertThat(created(resource))
                    .as("Fn::GetAtt of %s, which this stack does not create", resource)
                    .isTrue();
            String type = template.at("/Resources/" + resource + "/Type").asText();
            if (type.equals("AWS::SQS::Queue") && attribute.equals("Arn")) {
                return "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + resource;
            }
            return resource + "." + attribute;
        }

        private Object ref(String name) {
            if (name.equals("AWS::NoValue")) {
                return NO_VALUE;
            }
            if (!template.at("/Resources/" + name).isMissingNode()) {
                return resourceRef(name);
            }
            Object value = parameters.get(name);
            assertThat(value).as("parameter %s", name).isNotNull();
            return value;
        }

        private Map<String, String> variables(JsonNode map) {
            Map<String, String> variables = new HashMap<>();
            map.fields()
                    .forEachRemaining(
                            field ->
                                    variables.put(field.getKey(), (String) eval(field.getValue())));
            return variables;
        }

        private String sub(String text, Map<String, String> variables) {
            Matcher matcher = VARIABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String name = matcher.group(1);
                Object value = variables.containsKey(name) ? variables.get(name) : ref(name);
                assertThat(value).as("${%s} in Fn::Sub", name).isInstanceOf(String.class);
                matcher.appendReplacement(out, Matcher.quoteReplacement((String) value));
            }
            matcher.appendTail(out);
            return out.toString();
        }
    }
}
