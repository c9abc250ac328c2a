package io.github.flinksagemaker.examples.deploy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Missing or invalid runtime properties fail at start, naming the group and the key. */
class AppSettingsTest {

    private static Map<String, Properties> groups(String... groupKeyValues) {
        Map<String, Properties> groups = new HashMap<>();
        for (int i = 0; i < groupKeyValues.length; i += 3) {
            groups.computeIfAbsent(groupKeyValues[i], g -> new Properties())
                    .setProperty(groupKeyValues[i + 1], groupKeyValues[i + 2]);
        }
        return groups;
    }

    private static Map<String, Properties> real() {
        return groups(
                "SageMakerEndpoint",
                "sagemaker.endpoint-name",
                "reviews",
                "SageMakerEndpoint",
                "aws.region",
                "eu-west-1",
                "SageMakerEndpoint",
                "sagemaker.output-path",
                "s3://b/async/output",
                "SageMakerEndpoint",
                "sagemaker.failure-path",
                "s3://b/async/failure",
                "SageMakerEndpoint",
                "sagemaker.s3.input-prefix",
                "s3://b/async/input",
                "Source",
                "path",
                "s3://b/reviews/",
                "Sink",
                "path",
                "s3://b/enriched/");
    }

    @Test
    void aCompleteConfigurationGivesTheConnectorOptions() {
        Map<String, Properties> groups = real();
        groups.computeIfAbsent("ConnectorOptions", g -> new Properties())
                .setProperty("sagemaker.submit.capacity", "32");
        AppSettings settings = AppSettings.from(groups, false);

        assertThat(settings.embedded()).isFalse();
        assertThat(settings.connectorConfiguration().toMap())
                .containsEntry("aws.region", "eu-west-1")
                .containsEntry("sagemaker.endpoint-name", "reviews")
                .containsEntry("sagemaker.output-path", "s3://b/async/output")
                .containsEntry("sagemaker.s3.input-prefix", "s3://b/async/input")
                .containsEntry("sagemaker.submit.capacity", "32");
    }

    /** An application configured before the endpoint group took the connector's key names. */
    @Test
    void theEndpointGroupStillReadsItsFormerKeyNames() {
        Map<String, Properties> former =
                groups(
                        "SageMakerEndpoint",
                        "endpoint.name",
                        "reviews",
                        "SageMakerEndpoint",
                        "region",
                        "eu-west-1",
                        "SageMakerEndpoint",
                        "output.path",
                        "s3://b/async/output",
                        "SageMakerEndpoint",
                        "failure.path",
                        "s3://b/async/failure",
                        "SageMakerEndpoint",
                        "input.prefix",
                        "s3://b/async/input",
                        "SageMakerEndpoint",
                        "output.path.extension",
                        "r/{yyyy}/{MM}/{dd}/{HH}",
                        "Source",
                        "path",
                        "s3://b/reviews/",
                        "Sink",
                        "path",
                        "s3://b/enriched/");
        Map<String, Properties> current = real();
        current.get("SageMakerEndpoint")
                .setProperty("sagemaker.output-path-extension", "r/{yyyy}/{MM}/{dd}/{HH}");

        AppSettings fromFormer = AppSettings.from(former, false);
        assertThat(fromFormer.embedded()).isFalse();
        assertThat(fromFormer.connectorConfiguration().toMap())
                .isEqualTo(AppSettings.from(current, false).connectorConfiguration().toMap())
                .containsEntry("sagemaker.output-path", "s3://b/async/output")
                .containsEntry("sagemaker.output-path-extension", "r/{yyyy}/{MM}/{dd}/{HH}");

        // Both names given: the current one wins, as for Flink's deprecated keys.
        former.get("SageMakerEndpoint").setProperty("sagemaker.output-path", "s3://b/new");
        assertThat(AppSettings.from(former, false).connectorConfiguration().toMap())
                .containsEntry("sagemaker.output-path", "s3://b/new");

        // A blank current name (a template's placeholder) does not hide the former name's value.
        former.get("SageMakerEndpoint").setProperty("sagemaker.output-path", " ");
        assertThat(AppSettings.from(former, false).connectorConfiguration().toMap())
                .containsEntry("sagemaker.output-path", "s3://b/async/output");
    }

    @Test
    void completionModeSqsAndItsQueuePassThroughToTheConnector() {
        String queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/completions";
        Map<String, Properties> groups = real();
        Properties options = groups.computeIfAbsent("ConnectorOptions", g -> new Properties());
        options.setProperty("sagemaker.completion.mode", "SQS");
        options.setProperty("sagemaker.completion.sqs.queue-url", queue);
        options.setProperty("sagemaker.completion.sqs.visibility-timeout", "5 min");
        options.setProperty("aws.sqs.endpoint", "https://sqs.eu-west-1.amazonaws.com");

        Map<String, String> connector =
                AppSettings.from(groups, false).connectorConfiguration().toMap();

        assertThat(connector)
                .containsEntry("sagemaker.completion.mode", "SQS")
                .containsEntry("sagemaker.completion.sqs.queue-url", queue)
                .containsEntry("sagemaker.completion.sqs.visibility-timeout", "5 min")
                .containsEntry("aws.sqs.endpoint", "https://sqs.eu-west-1.amazonaws.com")
                // The endpoint group still gives the prefixes: the deadline looks in S3.
                .containsEntry("sagemaker.output-path", "s3://b/async/output");
    }

    @Test
    void onTheServiceTheEndpointIsRequired() {
        Map<String, Properties> groups = real();
        groups.get("SageMakerEndpoint").remove("sagemaker.endpoint-name");
        assertThatThrownBy(() -> AppSettings.from(groups, false))
                .hasMessage(
                        "Property group 'SageMakerEndpoint' needs key 'sagemaker.endpoint-name'"
                                + " (required on Managed Service for Apache Flink)");
        assertThat(AppSettings.from(groups, true).embedded()).isTrue();
    }

    @Test
    void eachMissingKeyIsNamed() {
        for (String key :
                new String[] {
                    "aws.region",
                    "sagemaker.output-path",
                    "sagemaker.failure-path",
                    "sagemaker.s3.input-prefix"
                }) {
            Map<String, Properties> groups = real();
            groups.get("SageMakerEndpoint").remove(key);
            assertThatThrownBy(() -> AppSettings.from(groups, false))
                    .hasMessageContaining("'SageMakerEndpoint' needs key '" + key + "'");
        }
        Map<String, Properties> noSink = real();
        noSink.remove("Sink");
        assertThatThrownBy(() -> AppSettings.from(noSink, true))
                .hasMessageContaining("'Sink' needs key 'path'");
        Map<String, Properties> noSource = real();
        noSource.remove("Source");
        assertThatThrownBy(() -> AppSettings.from(noSource, false))
                .hasMessageContaining("'Source' needs key 'path'");
    }

    @Test
    void invalidValuesAreNamed() {
        Map<String, Properties> badInterval = real();
        badInterval.get("Source").setProperty("monitor.interval", "soon");
        assertThatThrownBy(() -> AppSettings.from(badInterval, false))
                .hasMessageContaining("'Source.monitor.interval' is not a duration");

        Map<String, Properties> badKey = real();
        badKey.computeIfAbsent("ConnectorOptions", g -> new Properties())
                .setProperty("capacity", "3");
        assertThatThrownBy(() -> AppSettings.from(badKey, false))
                .hasMessageContaining("'ConnectorOptions.capacity' is not a connector option");
    }

    private static Map<String, Properties> kafka() {
        Map<String, Properties> groups = real();
        Properties source = new Properties();
        source.setProperty("type", "kafka");
        source.setProperty("bootstrap.servers", "b-1.msk:9098,b-2.msk:9098");
        source.setProperty("topic", "reviews");
        source.setProperty("group.id", "enrichment");
        source.setProperty("security", "msk-iam");
        groups.put("Source", source);
        Properties sink = new Properties();
        sink.setProperty("type", "kafka");
        sink.setProperty("bootstrap.servers", "b-1.msk:9096");
        sink.setProperty("topic", "enriched");
        sink.setProperty("dead-letter.topic", "dead");
        sink.setProperty("transactional.id.prefix", "enrichment");
        sink.setProperty("security", "sasl-scram");
        sink.setProperty("sasl.username", "flink");
        sink.setProperty("sasl.password", "p\"w\\d");
        sink.setProperty("kafka.ssl.truststore.location", "/etc/truststore.jks");
        groups.put("Sink", sink);
        return groups;
    }

    @Test
    void kafkaGroupsGiveTheClientSettingsOfTheirSecurityMode() {
        AppSettings settings = AppSettings.from(kafka(), false);

        ReviewInput.Kafka input = (ReviewInput.Kafka) settings.input();
        assertThat(input.topic()).isEqualTo("reviews");
        assertThat(input.groupId()).isEqualTo("enrichment");
        assertThat(input.startingOffsets()).isEqualTo(ReviewInput.StartingOffsets.COMMITTED);
        assertThat(input.stopAtLatest()).isFalse();
        assertThat(input.connection().clientProperties())
                .containsEntry("bootstrap.servers", "b-1.msk:9098,b-2.msk:9098")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "AWS_MSK_IAM")
                .containsEntry(
                        "sasl.jaas.config", "software.amazon.msk.auth.iam.IAMLoginModule required;")
                .containsEntry(
                        "sasl.client.callback.handler.class",
                        "software.amazon.msk.auth.iam.IAMClientCallbackHandler");

        ReviewOutput.Kafka output = (ReviewOutput.Kafka) settings.output();
        assertThat(output.topic()).isEqualTo("enriched");
        assertThat(output.deadLetterTopic()).isEqualTo("dead");
        assertThat(output.transactionalIdPrefix()).isEqualTo("enrichment");
        assertThat(output.transactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(output.connection().clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"flink\" password=\"p\\\"w\\\\d\";")
                .containsEntry("ssl.truststore.location", "/etc/truststore.jks")
                .doesNotContainKey("kafka.ssl.truststore.location");
        assertThat(output.connection().toString())
                .as("printed without the password")
                .contains("flink")
                .doesNotContain("p\"w");
    }

    @Test
    void eachMissingKafkaKeyIsNamed() {
        String[][] required = {
            {"Source", "bootstrap.servers"},
            {"Source", "topic"},
            {"Source", "group.id"},
            {"Sink", "bootstrap.servers"},
            {"Sink", "topic"},
            {"Sink", "dead-letter.topic"},
            {"Sink", "transactional.id.prefix"},
            {"Sink", "sasl.username"},
            {"Sink", "sasl.password"}
        };
        for (String[] key : required) {
            Map<String, Properties> groups = kafka();
            groups.get(key[0]).remove(key[1]);
            assertThatThrownBy(() -> AppSettings.from(groups, false))
                    .hasMessageStartingWith(
                            "Property group '" + key[0] + "' needs key '" + key[1] + "'");
        }
    }

    @Test
    void invalidKafkaValuesAreNamedWithWhatIsAllowed() {
        Map<String, Properties> type = kafka();
        type.get("Source").setProperty("type", "kinesis");
        assertThatThrownBy(() -> AppSettings.from(type, false))
                .hasMessage(
                        "Property 'Source.type' is 'kinesis'; expected one of 'kafka', 's3-files'");

        Map<String, Properties> security = kafka();
        security.get("Sink").setProperty("security", "iam");
        assertThatThrownBy(() -> AppSettings.from(security, false))
                .hasMessage(
                        "Property 'Sink.security' is 'iam'; expected one of 'none', 'tls',"
                                + " 'sasl-scram', 'msk-iam'");

        Map<String, Properties> offsets = kafka();
        offsets.get("Source").setProperty("starting.offsets", "beginning");
        assertThatThrownBy(() -> AppSettings.from(offsets, false))
                .hasMessageContaining("'Source.starting.offsets' is 'beginning'");

        Map<String, Properties> timeout = kafka();
        timeout.get("Sink").setProperty("transaction.timeout", "long");
        assertThatThrownBy(() -> AppSettings.from(timeout, false))
                .hasMessageContaining("'Sink.transaction.timeout' is not a duration");
    }

    @Test
    void aMisspeltKeyIsRefusedRatherThanReplacedByItsDefault() {
        Map<String, Properties> source = kafka();
        source.get("Source").setProperty("securty", "msk-iam");
        assertThatThrownBy(() -> AppSettings.from(source, false))
                .hasMessage(
                        "Property 'Source.securty' is not a key of this group; expected one of"
                                + " 'bootstrap.servers', 'group.id', 'sasl.password',"
                                + " 'sasl.username', 'security', 'starting.offsets', 'topic',"
                                + " 'type' or a key starting with 'kafka.'");

        Map<String, Properties> sink = real();
        sink.get("Sink").setProperty("dead-letters.path", "s3://b/dead/");
        assertThatThrownBy(() -> AppSettings.from(sink, false))
                .hasMessageStartingWith("Property 'Sink.dead-letters.path' is not a key");

        Map<String, Properties> endpoint = real();
        endpoint.get("SageMakerEndpoint").setProperty("endpoint", "reviews");
        assertThatThrownBy(() -> AppSettings.from(endpoint, false))
                .hasMessageStartingWith("Property 'SageMakerEndpoint.endpoint' is not a key");
    }

    @Test
    void locallyAKafkaGroupWithoutServersIsTheInProcessBroker() {
        Map<String, Properties> groups = new HashMap<>();
        groups.put("Source", new Properties());
        groups.get("Source").setProperty("type", "KAFKA");
        groups.put("Sink", new Properties());
        groups.get("Sink").setProperty("type", "kafka");

        AppSettings settings = AppSettings.from(groups, true);

        assertThat(settings.embedded()).isTrue();
        ReviewInput.Kafka input = (ReviewInput.Kafka) settings.input();
        assertThat(input.connection().embedded()).isTrue();
        assertThat(input.topic()).isEqualTo(LocalKafka.INPUT_TOPIC);
        ReviewOutput.Kafka output = (ReviewOutput.Kafka) settings.output();
        assertThat(output.topic()).isEqualTo(LocalKafka.OUTPUT_TOPIC);
        assertThat(output.deadLetterTopic()).isEqualTo(LocalKafka.DEAD_LETTER_TOPIC);
        assertThatThrownBy(() -> AppSettings.from(groups, false))
                .hasMessageContaining("'SageMakerEndpoint' needs key 'sagemaker.endpoint-name'");
    }

    @Test
    void filesDeadLettersGoBesideTheSinkUnlessNamed() {
        ReviewOutput.Files output = (ReviewOutput.Files) AppSettings.from(real(), false).output();
        assertThat(output.deadLetterPath()).isEqualTo("s3://b/enriched-dead-letter/");

        Map<String, Properties> named = real();
        named.get("Sink").setProperty("dead-letter.path", "s3://b/dead/");
        assertThat(((ReviewOutput.Files) AppSettings.from(named, false).output()).deadLetterPath())
                .isEqualTo("s3://b/dead/");
    }
}
