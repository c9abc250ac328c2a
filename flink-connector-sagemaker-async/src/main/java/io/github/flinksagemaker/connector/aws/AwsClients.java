package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClientBuilder;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Builds the SDK's async clients (Netty) from {@code aws.*} options. Each client owns its HTTP
 * client, sized to the operator's in-flight capacity, and closes it when closed.
 */
@Internal
public final class AwsClients {
    static final String USER_AGENT_SUFFIX = "flink-connector-sagemaker-async";

    /** Longer than SQS's longest long poll (20 s). */
    private static final Duration LONG_POLL_READ_TIMEOUT = Duration.ofSeconds(30);

    private AwsClients() {}

    /** Checks the {@code aws.*} options; messages name the option at fault. */
    public static void validate(Configuration config) {
        region(config);
        config.getOptional(AwsConfigOptions.AWS_ENDPOINT)
                .ifPresent(e -> parseEndpoint(AwsConfigOptions.AWS_ENDPOINT.key(), e));
        config.getOptional(AwsConfigOptions.AWS_S3_ENDPOINT)
                .ifPresent(e -> parseEndpoint(AwsConfigOptions.AWS_S3_ENDPOINT.key(), e));
        config.getOptional(AwsConfigOptions.AWS_SQS_ENDPOINT)
                .ifPresent(e -> parseEndpoint(AwsConfigOptions.AWS_SQS_ENDPOINT.key(), e));
        config.getOptional(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY)
                .ifPresent(
                        max -> {
                            if (max < 1) {
                                throw new IllegalArgumentException(
                                        "Option '"
                                                + AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY.key()
                                                + "' must be at least 1, got "
                                                + max);
                            }
                        });
        // Flink's message for a value that is not a boolean names the key.
        config.get(AwsConfigOptions.TRUST_ALL_CERTIFICATES);
        AwsCredentialsProviders.validate(config);
    }

    public static Region region(Configuration config) {
        String region =
                config.getOptional(AwsConfigOptions.AWS_REGION)
                        .map(String::trim)
                        .filter(r -> !r.isEmpty())
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "Option '"
                                                        + AwsConfigOptions.AWS_REGION.key()
                                                        + "' is required, e.g. us-east-1"));
        if (!region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
            throw new IllegalArgumentException(
                    "Option '"
                            + AwsConfigOptions.AWS_REGION.key()
                            + "' is not a valid AWS region: '"
                            + region
                            + "'. Examples: us-east-1, eu-west-1, ap-southeast-2"
                            + " (known regions: "
                            + Region.regions()
                            + ")");
        }
        return Region.of(region);
    }

    static URI parseEndpoint(String key, String value) {
        try {
            URI uri = new URI(value.trim());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
                    || uri.getHost() == null) {
                throw new URISyntaxException(value, "needs http:// or https:// and a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "Option '" + key + "' is not a valid endpoint URL: '" + value + "'", e);
        }
    }

    public static SageMakerRuntimeAsyncClient sageMakerRuntime(
            Configuration config,
            int maxConcurrency,
            Consumer<ClientOverrideConfiguration.Builder> overrides) {
        Region region = region(config);
        CredentialsOutage outage = new CredentialsOutage();
        SageMakerRuntimeAsyncClientBuilder builder =
                SageMakerRuntimeAsyncClient.builder()
                        .region(region)
                        .credentialsProvider(
                                outage.watch(AwsCredentialsProviders.create(config, region)))
                        .httpClientBuilder(
                                httpClient(
                                        config,
                                        maxConcurrency,
                                        config.get(AwsConfigOptions.HTTP_CLIENT_READ_TIMEOUT)))
                        .overrideConfiguration(withUserAgent(outage, overrides));
        config.getOptional(AwsConfigOptions.AWS_ENDPOINT)
                .ifPresent(
                        e ->
                                builder.endpointOverride(
                                        parseEndpoint(AwsConfigOptions.AWS_ENDPOINT.key(), e)));
        return builder.build();
    }

    public static S3AsyncClient s3(
            Configuration config,
            int maxConcurrency,
            Consumer<ClientOverrideConfiguration.Builder> overrides) {
        Region region = region(config);
        CredentialsOutage outage = new CredentialsOutage();
        boolean whenRequired =
                config.get(AwsConfigOptions.AWS_S3_CHECKSUM_MODE)
                        == AwsConfigOptions.S3ChecksumMode.WHEN_REQUIRED;
        S3AsyncClientBuilder builder =
                S3AsyncClient.builder()
                        .region(region)
                        .credentialsProvider(
                                outage.watch(AwsCredentialsProviders.create(config, region)))
                        .httpClientBuilder(
                                httpClient(
                                        config,
                                        maxConcurrency,
                                        config.get(AwsConfigOptions.HTTP_CLIENT_READ_TIMEOUT)))
                        .forcePathStyle(config.get(AwsConfigOptions.AWS_S3_PATH_STYLE_ACCESS))
                        .requestChecksumCalculation(
                                whenRequired
                                        ? RequestChecksumCalculation.WHEN_REQUIRED
                                        : RequestChecksumCalculation.WHEN_SUPPORTED)
                        .responseChecksumValidation(
                                whenRequired
                                        ? ResponseChecksumValidation.WHEN_REQUIRED
                                        : ResponseChecksumValidation.WHEN_SUPPORTED)
                        .overrideConfiguration(withUserAgent(outage, overrides));
        config.getOptional(AwsConfigOptions.AWS_S3_ENDPOINT)
                .ifPresent(
                        e ->
                                builder.endpointOverride(
                                        parseEndpoint(AwsConfigOptions.AWS_S3_ENDPOINT.key(), e)));
        return builder.build();
    }

    /**
     * An SQS client; its read timeout covers a 20 s long poll, which an HTTP read timeout below
     * that would cut short.
     */
    public static SqsAsyncClient sqs(Configuration config, int maxConcurrency) {
        Region region = region(config);
        CredentialsOutage outage = new CredentialsOutage();
        Duration readTimeout = config.get(AwsConfigOptions.HTTP_CLIENT_READ_TIMEOUT);
        SqsAsyncClientBuilder builder =
                SqsAsyncClient.builder()
                        .region(region)
                        .credentialsProvider(
                                outage.watch(AwsCredentialsProviders.create(config, region)))
                        .httpClientBuilder(
                                httpClient(
                                        config,
                                        maxConcurrency,
                                        readTimeout.compareTo(LONG_POLL_READ_TIMEOUT) < 0
                                                ? LONG_POLL_READ_TIMEOUT
                                                : readTimeout))
                        .overrideConfiguration(withUserAgent(outage, override -> {}));
        config.getOptional(AwsConfigOptions.AWS_SQS_ENDPOINT)
                .ifPresent(
                        e ->
                                builder.endpointOverride(
                                        parseEndpoint(AwsConfigOptions.AWS_SQS_ENDPOINT.key(), e)));
        return builder.build();
    }

    /**
     * The Netty HTTP client every async client builds (and so owns and closes). Netty's builder has
     * no setting for trusting every certificate: like flink-connector-aws, the connector passes
     * {@link SdkHttpConfigurationOption#TRUST_ALL_CERTIFICATES} with the defaults the SDK builds it
     * with.
     */
    static SdkAsyncHttpClient.Builder<?> httpClient(
            Configuration config, int defaultMaxConcurrency, Duration readTimeout) {
        NettyNioAsyncHttpClient.Builder netty =
                NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(
                                config.getOptional(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY)
                                        .orElse(defaultMaxConcurrency))
                        .readTimeout(readTimeout);
        return new WithHttpOptions(
                netty,
                AttributeMap.builder()
                        .put(
                                SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES,
                                config.get(AwsConfigOptions.TRUST_ALL_CERTIFICATES))
                        .build());
    }

    /** Builds with {@code options} over the service's defaults. */
    static final class WithHttpOptions implements SdkAsyncHttpClient.Builder<WithHttpOptions> {
        private final SdkAsyncHttpClient.Builder<?> delegate;
        private final AttributeMap options;

        WithHttpOptions(SdkAsyncHttpClient.Builder<?> delegate, AttributeMap options) {
            this.delegate = delegate;
            this.options = options;
        }

        @Override
        public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            return delegate.buildWithDefaults(options.merge(serviceDefaults));
        }
    }

    /** The user agent suffix and the client's credentials outage watch, then {@code overrides}. */
    private static Consumer<ClientOverrideConfiguration.Builder> withUserAgent(
            CredentialsOutage outage, Consumer<ClientOverrideConfiguration.Builder> overrides) {
        return builder -> {
            builder.putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, USER_AGENT_SUFFIX);
            builder.addExecutionInterceptor(outage.interceptor());
            overrides.accept(builder);
        };
    }
}
