package io.github.flinksagemaker.examples.deploy;

import org.junit.jupiter.api.Test;

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
                .containsEntry("sagemaker.watch.output-prefix", "s3://b/async/output")
                .containsEntry("sagemaker.s3.input-prefix", "s3://b/async/input")
                .containsEntry("sagemaker.submit.capacity", "32");
    }

    @Test
    void onTheServiceTheEndpointIsRequired() {
        Map<String, Properties> groups = real();
        groups.get("SageMakerEndpoint").remove("endpoint.name");
        assertThatThrownBy(() -> AppSettings.from(groups, false))
                .hasMessage(
                        "Property group 'SageMakerEndpoint' needs key 'endpoint.name' (required on"
                                + " Managed Service for Apache Flink)");
        assertThat(AppSettings.from(groups, true).embedded()).isTrue();
    }

    @Test
    void eachMissingKeyIsNamed() {
        for (String key : new String[] {"region", "output.path", "failure.path", "input.prefix"}) {
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
}
