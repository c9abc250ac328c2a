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
 *   <li>{@code SageMakerEndpoint}: {@code sagemaker.endpoint-name}, {@code aws.region}, {@code
 *       sagemaker.output-path}, {@code sagemaker.failure-path}, {@code sagemaker.s3.input-prefix},
 *       optional {@code sagemaker.output-path-extension}: the connector's own keys. Without {@code
 *       sagemaker.endpoint-name}, and only when running locally, the embedded local endpoint is
 *       used. The former names ({@link #FORMER_ENDPOINT_KEYS}) are still read.
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

    private static final String ENDPOINT_NAME = SubmitOptions.ENDPOINT_NAME.key();
    private static final String REGION = AwsConfigOptions.AWS_REGION.key();
    private static final String OUTPUT_PATH = WatchOptions.OUTPUT_PATH.key();
    private static final String FAILURE_PATH = WatchOptions.FAILURE_PATH.key();
    private static final String INPUT_PREFIX = SubmitOptions.S3_INPUT_PREFIX.key();
    private static final String OUTPUT_PATH_EXTENSION = SubmitOptions.OUTPUT_PATH_EXTENSION.key();

    /**
     * The endpoint group's keys before they were named as the connector's options: deprecated,
     * still read for one release, and a current key given as well wins.
     */
    static final Map<String, String> FORMER_ENDPOINT_KEYS =
            Map.of(
                    "endpoint.name", ENDPOINT_NAME,
                    "region", REGION,
                    "output.path", OUTPUT_PATH,
                    "failure.path", FAILURE_PATH,
                    "input.prefix", INPUT_PREFIX,
                    "output.path.extension", OUTPUT_PATH_EXTENSION);

    /**
     * @param local whether the job runs on a local environment (where an embedded endpoint, an
     *     in-process broker and the bundled sample may stand in)
     * @throws IllegalArgumentException naming the group and key that is missing or invalid
     */
    static AppSettings from(Map<String, Properties> groups, boolean local) {
        PropertyGroup endpoint =
                PropertyGroup.of(groups, ENDPOINT_GROUP).renamed(FORMER_ENDPOINT_KEYS);
        endpoint.rejectUnknownKeys(
                Set.of(
                        ENDPOINT_NAME,
                        REGION,
                        OUTPUT_PATH,
                        FAILURE_PATH,
                        INPUT_PREFIX,
                        OUTPUT_PATH_EXTENSION),
                Set.of(),
                null);
        String endpointName = endpoint.optional(ENDPOINT_NAME);
        if (endpointName == null && !local) {
            throw endpoint.missing(ENDPOINT_NAME, "on Managed Service for Apache Flink");
        }
        boolean real = endpointName != null;
        String withName = "with '" + ENDPOINT_NAME + "'";
        return new AppSettings(
                endpointName,
                real ? endpoint.required(REGION, withName) : null,
                real ? endpoint.required(OUTPUT_PATH, withName) : null,
                real ? endpoint.required(FAILURE_PATH, withName) : null,
                real ? endpoint.required(INPUT_PREFIX, withName) : null,
                endpoint.orDefault(OUTPUT_PATH_EXTENSION, "enriched/{yyyy}/{MM}/{dd}/{HH}"),
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
        config.set(WatchOptions.OUTPUT_PATH, outputPath);
        config.set(WatchOptions.FAILURE_PATH, failurePath);
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
