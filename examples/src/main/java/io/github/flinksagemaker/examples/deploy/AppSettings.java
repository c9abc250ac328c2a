package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

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
 *   <li>{@code Source}: {@code type} {@code kafka} or {@code s3-files} (default), then its keys
 *       ({@link ReviewInput}).
 *   <li>{@code Sink}: {@code type} {@code kafka} or {@code s3-files} (default), then its keys
 *       ({@link ReviewOutput}).
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
        ReviewInput input,
        ReviewOutput output) {

    static final String ENDPOINT_GROUP = "SageMakerEndpoint";
    static final String CONNECTOR_GROUP = "ConnectorOptions";
    static final String SOURCE_GROUP = "Source";
    static final String SINK_GROUP = "Sink";

    /**
     * @param local whether the job runs on a local environment (where an embedded endpoint, an
     *     in-process broker and the bundled sample may stand in)
     * @throws IllegalArgumentException naming the group and key that is missing or invalid
     */
    static AppSettings from(Map<String, Properties> groups, boolean local) {
        PropertyGroup endpoint = PropertyGroup.of(groups, ENDPOINT_GROUP);
        endpoint.rejectUnknownKeys(
                Set.of(
                        "endpoint.name",
                        "region",
                        "output.path",
                        "failure.path",
                        "input.prefix",
                        "output.path.extension"),
                Set.of(),
                null);
        String endpointName = endpoint.optional("endpoint.name");
        if (endpointName == null && !local) {
            throw endpoint.missing("endpoint.name", "on Managed Service for Apache Flink");
        }
        boolean real = endpointName != null;
        String withName = "with 'endpoint.name'";
        return new AppSettings(
                endpointName,
                real ? endpoint.required("region", withName) : null,
                real ? endpoint.required("output.path", withName) : null,
                real ? endpoint.required("failure.path", withName) : null,
                real ? endpoint.required("input.prefix", withName) : null,
                endpoint.orDefault("output.path.extension", "enriched/{yyyy}/{MM}/{dd}/{HH}"),
                connectorOptions(PropertyGroup.of(groups, CONNECTOR_GROUP)),
                ReviewInput.from(PropertyGroup.of(groups, SOURCE_GROUP), local),
                ReviewOutput.from(PropertyGroup.of(groups, SINK_GROUP), local));
    }

    private static Configuration connectorOptions(PropertyGroup group) {
        Configuration connector = new Configuration();
        group.entries()
                .forEach(
                        (key, value) -> {
                            String name = String.valueOf(key);
                            if (!name.startsWith("sagemaker.") && !name.startsWith("aws.")) {
                                throw group.invalid(
                                        name,
                                        "is not a connector option: keys in this group start"
                                                + " with 'sagemaker.' or 'aws.'");
                            }
                            connector.set(
                                    ConfigOptions.key(name).stringType().noDefaultValue(),
                                    String.valueOf(value));
                        });
        return connector;
    }

    boolean embedded() {
        return endpointName == null;
    }

    AppSettings with(ReviewInput resolvedInput, ReviewOutput resolvedOutput) {
        return new AppSettings(
                endpointName,
                region,
                outputPath,
                failurePath,
                inputPrefix,
                outputPathExtension,
                connectorOptions,
                resolvedInput,
                resolvedOutput);
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
}
