package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The application's runtime properties, by property group as Managed Service for Apache Flink hands
 * them over, validated at start with messages that name the group and the key.
 *
 * <ul>
 *   <li>{@code SageMakerEndpoint}: {@code endpoint.name}, {@code region}, {@code output.path},
 *       {@code failure.path}, {@code input.prefix}, optional {@code output.path.extension}. Without
 *       {@code endpoint.name}, and only when running locally, the embedded local endpoint is used.
 *   <li>{@code ConnectorOptions} (optional): any {@code sagemaker.*} or {@code aws.*} option,
 *       passed to the connector as is (see docs/configuration.md).
 *   <li>{@code Source}: {@code path} of JSON Lines reviews (s3://… or a directory), optional {@code
 *       monitor.interval} to keep watching it for new files.
 *   <li>{@code Sink}: {@code path} where enriched JSON Lines are written.
 * </ul>
 */
record AppSettings(
        String endpointName,
        String region,
        String outputPath,
        String failurePath,
        String inputPrefix,
        String outputPathExtension,
        Configuration connectorOptions,
        String sourcePath,
        Duration monitorInterval,
        String sinkPath) {

    static final String ENDPOINT_GROUP = "SageMakerEndpoint";
    static final String CONNECTOR_GROUP = "ConnectorOptions";
    static final String SOURCE_GROUP = "Source";
    static final String SINK_GROUP = "Sink";

    /**
     * @param local whether the job runs on a local environment (where an embedded endpoint and the
     *     bundled sample may stand in)
     * @throws IllegalArgumentException naming the group and key that is missing or invalid
     */
    static AppSettings from(Map<String, Properties> groups, boolean local) {
        Properties endpoint = groups.getOrDefault(ENDPOINT_GROUP, new Properties());
        String endpointName = optional(endpoint, "endpoint.name");
        if (endpointName == null && !local) {
            throw missing(ENDPOINT_GROUP, "endpoint.name", "on Managed Service for Apache Flink");
        }
        boolean real = endpointName != null;
        Configuration connector = new Configuration();
        groups.getOrDefault(CONNECTOR_GROUP, new Properties())
                .forEach(
                        (key, value) -> {
                            String name = String.valueOf(key);
                            if (!name.startsWith("sagemaker.") && !name.startsWith("aws.")) {
                                throw new IllegalArgumentException(
                                        "Property '"
                                                + CONNECTOR_GROUP
                                                + "."
                                                + name
                                                + "' is not a connector option: keys in this group"
                                                + " start with 'sagemaker.' or 'aws.'");
                            }
                            connector.set(
                                    ConfigOptions.key(name).stringType().noDefaultValue(),
                                    String.valueOf(value));
                        });
        Properties source = groups.getOrDefault(SOURCE_GROUP, new Properties());
        String sourcePath = optional(source, "path");
        if (sourcePath == null && !local) {
            throw missing(SOURCE_GROUP, "path", "on Managed Service for Apache Flink");
        }
        Duration monitor = null;
        String interval = optional(source, "monitor.interval");
        if (interval != null) {
            try {
                monitor = TimeUtils.parseDuration(interval);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Property '"
                                + SOURCE_GROUP
                                + ".monitor.interval' is not a duration (e.g. '30 s'): '"
                                + interval
                                + "'");
            }
        }
        Properties sink = groups.get(SINK_GROUP);
        String sinkPath = sink == null ? null : optional(sink, "path");
        if (sinkPath == null) {
            throw missing(SINK_GROUP, "path", "always");
        }
        return new AppSettings(
                endpointName,
                real ? required(endpoint, ENDPOINT_GROUP, "region") : null,
                real ? required(endpoint, ENDPOINT_GROUP, "output.path") : null,
                real ? required(endpoint, ENDPOINT_GROUP, "failure.path") : null,
                real ? required(endpoint, ENDPOINT_GROUP, "input.prefix") : null,
                endpoint.getProperty("output.path.extension", "enriched/{yyyy}/{MM}/{dd}/{HH}"),
                connector,
                sourcePath,
                monitor,
                sinkPath);
    }

    boolean embedded() {
        return endpointName == null;
    }

    /** The connector options for a real endpoint: the group values, then the pass-throughs. */
    Configuration connectorConfiguration() {
        Configuration config = new Configuration();
        config.set(AwsConfigOptions.AWS_REGION, region);
        config.set(SubmitOptions.ENDPOINT_NAME, endpointName);
        config.set(WatchOptions.OUTPUT_PREFIX, outputPath);
        config.set(WatchOptions.FAILURE_PREFIX, failurePath);
        config.set(SubmitOptions.S3_INPUT_PREFIX, inputPrefix);
        config.addAll(common());
        return config;
    }

    /** What applies to both real and embedded endpoints. */
    Configuration common() {
        Configuration config = new Configuration();
        config.set(SubmitOptions.CONTENT_TYPE, "application/json");
        config.set(SubmitOptions.OUTPUT_PATH_EXTENSION, outputPathExtension);
        config.addAll(connectorOptions);
        return config;
    }

    private static String optional(Properties group, String key) {
        String value = group.getProperty(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String required(Properties group, String groupName, String key) {
        String value = optional(group, key);
        if (value == null) {
            throw missing(groupName, key, "with 'endpoint.name'");
        }
        return value;
    }

    private static IllegalArgumentException missing(String group, String key, String when) {
        return new IllegalArgumentException(
                "Property group '" + group + "' needs key '" + key + "' (required " + when + ")");
    }
}
