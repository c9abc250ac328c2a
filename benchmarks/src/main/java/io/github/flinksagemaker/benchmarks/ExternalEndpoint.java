package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.local.LocalSageMakerAsyncLauncher;

import org.apache.flink.configuration.Configuration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The local endpoint in a JVM of its own (the standalone launcher, echo model), so that this JVM's
 * CPU is the client's or the pipeline's alone, and the endpoint's own CPU can be read apart.
 */
final class ExternalEndpoint implements AutoCloseable {
    static final String ENDPOINT = "cpu";

    private final Process process;
    private final Path dir;
    private final JsonNode ready;

    private ExternalEndpoint(Process process, Path dir, JsonNode ready) {
        this.process = process;
        this.dir = dir;
        this.ready = ready;
    }

    static ExternalEndpoint start(Duration modelLatency) throws Exception {
        Path dir = Files.createTempDirectory("external-endpoint");
        Path readyFile = dir.resolve("ready.json");
        Process process =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Dsun.net.httpserver.nodelay=true",
                                        "-Xmx2g",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        LocalSageMakerAsyncLauncher.class.getName(),
                                        "--ready-file",
                                        readyFile.toString(),
                                        "--endpoint-name",
                                        ENDPOINT,
                                        "--model",
                                        "echo",
                                        "--model-latency",
                                        Long.toString(modelLatency.toMillis())))
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("endpoint.log").toFile())
                        .start();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!Files.exists(readyFile)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "The external endpoint did not start: "
                                + Files.readString(dir.resolve("endpoint.log")));
            }
            Thread.sleep(50);
        }
        return new ExternalEndpoint(process, dir, new ObjectMapper().readTree(readyFile.toFile()));
    }

    /** CPU time the endpoint's JVM has used so far, from the OS. */
    Duration cpu() {
        return process.toHandle()
                .info()
                .totalCpuDuration()
                .orElseThrow(() -> new IllegalStateException("No CPU time for the endpoint"));
    }

    private String get(String key) {
        return ready.get(key).asText();
    }

    private String outputPath() {
        return "s3://" + get("bucket") + "/" + ENDPOINT + "/output";
    }

    /** The connector's options for this endpoint, as a user writes them; SQS mode if asked. */
    Configuration connector(boolean sqs) {
        Configuration config = new Configuration();
        config.setString("aws.region", get("region"));
        config.setString("aws.endpoint", get("sagemakerEndpoint"));
        config.setString("aws.s3.endpoint", get("s3Endpoint"));
        config.setString("aws.sqs.endpoint", get("sqsEndpoint"));
        config.setString("aws.s3.path-style-access", "true");
        config.setString("aws.s3.checksum-mode", "WHEN_REQUIRED");
        config.setString("aws.credentials.provider", "BASIC");
        config.setString("aws.credentials.provider.basic.accesskeyid", get("accessKeyId"));
        config.setString("aws.credentials.provider.basic.secretkey", get("secretAccessKey"));
        config.set(SubmitOptions.ENDPOINT_NAME, ENDPOINT);
        config.set(SubmitOptions.S3_INPUT_PREFIX, "s3://" + get("bucket") + "/" + ENDPOINT + "/in");
        config.set(WatchOptions.OUTPUT_PATH, outputPath());
        config.set(
                WatchOptions.FAILURE_PATH, "s3://" + get("bucket") + "/" + ENDPOINT + "/failure");
        if (sqs) {
            config.set(CompletionOptions.MODE, CompletionOptions.CompletionMode.SQS);
            config.set(CompletionOptions.SQS_QUEUE_URL, get("queueUrl"));
        }
        return config;
    }

    SageMakerRuntimeAsyncClient rawAsyncClient(int maxConcurrency) {
        return SageMakerRuntimeAsyncClient.builder()
                .endpointOverride(URI.create(get("sagemakerEndpoint")))
                .region(Region.of(get("region")))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        get("accessKeyId"), get("secretAccessKey"))))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(maxConcurrency))
                .build();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
