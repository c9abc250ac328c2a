package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalNotifications;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.EchoModel;
import io.github.flinksagemaker.local.model.LocalModel;

import org.apache.flink.configuration.Configuration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One local endpoint with embedded S3 for a benchmark, the connector options that point at it
 * exactly as a user would write them, and plain SDK clients for the baselines.
 */
final class LocalSetup implements AutoCloseable {
    final LocalSageMakerAsync local;

    LocalSetup() throws Exception {
        this.local = LocalSageMakerAsync.builder().start();
    }

    void register(String endpoint, LocalModel model, FaultInjection faults) {
        local.registerEndpoint(
                LocalEndpointConfig.builder(endpoint)
                        .s3OutputPath(outputPath(endpoint))
                        .s3FailurePath(failurePath(endpoint))
                        .maxConcurrentInvocations(512)
                        .model(model)
                        .faults(faults)
                        .build());
    }

    String outputPath(String endpoint) {
        return "s3://" + local.bucket() + "/" + endpoint + "/output";
    }

    String failurePath(String endpoint) {
        return "s3://" + local.bucket() + "/" + endpoint + "/failure";
    }

    /** The aws.*, endpoint, input prefix and watch options for {@code endpoint}. */
    Configuration connector(String endpoint) {
        Configuration config = Configuration.fromMap(local.connectorAwsOptions());
        config.set(SubmitOptions.ENDPOINT_NAME, endpoint);
        config.set(
                SubmitOptions.S3_INPUT_PREFIX,
                "s3://" + local.bucket() + "/" + endpoint + "/input");
        config.set(WatchOptions.OUTPUT_PATH, outputPath(endpoint));
        config.set(WatchOptions.FAILURE_PATH, failurePath(endpoint));
        return config;
    }

    /**
     * A fresh endpoint of the echo model answering after {@code modelLatency}, notifying successes
     * and errors on one queue if {@code sqs}, and the connector's options for it (SQS mode if so).
     */
    Configuration echoEndpoint(String endpoint, Duration modelLatency, boolean sqs) {
        String queue = endpoint + "-notifications";
        local.registerEndpoint(
                LocalEndpointConfig.builder(endpoint)
                        .s3OutputPath(outputPath(endpoint))
                        .s3FailurePath(failurePath(endpoint))
                        .maxConcurrentInvocations(512)
                        .model(new EchoModel())
                        .faults(FaultInjection.builder().latency(modelLatency).build())
                        .notifications(
                                sqs
                                        ? LocalNotifications.builder()
                                                .successQueue(queue)
                                                .errorQueue(queue)
                                                .build()
                                        : LocalNotifications.NONE)
                        .build());
        Configuration options = connector(endpoint);
        if (sqs) {
            options.set(CompletionOptions.MODE, CompletionOptions.CompletionMode.SQS);
            options.set(CompletionOptions.SQS_QUEUE_URL, local.createQueue(queue));
        }
        return options;
    }

    SageMakerRuntimeAsyncClient rawAsyncClient(int maxConcurrency) {
        return SageMakerRuntimeAsyncClient.builder()
                .endpointOverride(local.sageMakerEndpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(maxConcurrency))
                .build();
    }

    /** The blocking client, with the SDK's default HTTP client (Apache 5 here). */
    SageMakerRuntimeClient rawSyncClient() {
        return SageMakerRuntimeClient.builder()
                .endpointOverride(local.sageMakerEndpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials())
                .build();
    }

    S3AsyncClient s3Client() {
        return S3AsyncClient.builder()
                .endpointOverride(local.s3Endpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(128))
                .build();
    }

    private StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(local.accessKeyId(), local.secretAccessKey()));
    }

    /** A review-like JSON payload of about {@code bytes} bytes, different for each index. */
    static byte[] payload(long index, int bytes) {
        StringBuilder text =
                new StringBuilder("{\"id\":\"r-").append(index).append("\",\"text\":\"");
        String[] words = {"good ", "slow ", "great ", "broken ", "fine ", "value ", "works "};
        int i = (int) (index % words.length);
        while (text.length() < bytes - 2) {
            text.append(words[i++ % words.length]);
        }
        text.setLength(bytes - 2);
        return text.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        local.close();
    }
}
