package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.SentimentDemoModel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Starts the launcher's {@code main} in a separate JVM, as the README does, and uses only what its
 * ready file says to make a real SDK call and read its notification from the queue.
 */
class LocalSageMakerAsyncLauncherITCase {

    @Test
    void startsWritesTheReadyFileAndAnswersARealSdkCall(@TempDir Path dir) throws Exception {
        Path readyFile = dir.resolve("ready.json");
        Path log = dir.resolve("launcher.log");
        Process process =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        LocalSageMakerAsyncLauncher.class.getName(),
                                        "--ready-file",
                                        readyFile.toString(),
                                        "--endpoint-name",
                                        "launched"))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            Instant deadline = Instant.now().plusSeconds(60);
            while (!Files.exists(readyFile)) {
                assertThat(process.isAlive())
                        .as("launcher died: %s", Files.readString(log))
                        .isTrue();
                assertThat(Instant.now()).as("launcher not ready in 60 s").isBefore(deadline);
                Thread.sleep(50);
            }
            JsonNode ready = new ObjectMapper().readTree(readyFile.toFile());
            assertThat(ready.fieldNames())
                    .toIterable()
                    .containsExactly(
                            "sagemakerEndpoint",
                            "s3Endpoint",
                            "sqsEndpoint",
                            "region",
                            "accessKeyId",
                            "secretAccessKey",
                            "bucket",
                            "endpointName",
                            "queueUrl");
            assertThat(ready.get("endpointName").asText()).isEqualTo("launched");
            assertThat(ready.get("queueUrl").asText())
                    .isEqualTo(
                            ready.get("sqsEndpoint").asText()
                                    + "/000000000000/launched-notifications");

            StaticCredentialsProvider credentials =
                    StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(
                                    ready.get("accessKeyId").asText(),
                                    ready.get("secretAccessKey").asText()));
            Region region = Region.of(ready.get("region").asText());
            try (SageMakerRuntimeAsyncClient sageMaker =
                            SageMakerRuntimeAsyncClient.builder()
                                    .endpointOverride(
                                            URI.create(ready.get("sagemakerEndpoint").asText()))
                                    .region(region)
                                    .credentialsProvider(credentials)
                                    .build();
                    S3AsyncClient s3 =
                            S3AsyncClient.builder()
                                    .endpointOverride(URI.create(ready.get("s3Endpoint").asText()))
                                    .region(region)
                                    .credentialsProvider(credentials)
                                    .forcePathStyle(true)
                                    .requestChecksumCalculation(
                                            RequestChecksumCalculation.WHEN_REQUIRED)
                                    .responseChecksumValidation(
                                            ResponseChecksumValidation.WHEN_REQUIRED)
                                    .build();
                    SqsClient sqs =
                            SqsClient.builder()
                                    .endpointOverride(URI.create(ready.get("sqsEndpoint").asText()))
                                    .region(region)
                                    .credentialsProvider(credentials)
                                    .build()) {
                InvokeEndpointAsyncResponse response =
                        sageMaker
                                .invokeEndpointAsync(
                                        r ->
                                                r.endpointName("launched")
                                                        .body(
                                                                SdkBytes.fromUtf8String(
                                                                        "{\"text\":\"works great\"}")))
                                .join();
                assertThat(response.outputLocation())
                        .startsWith("s3://" + ready.get("bucket").asText() + "/launched/output/");
                assertThat(
                                LocalClients.awaitObject(
                                                s3,
                                                response.outputLocation(),
                                                Duration.ofSeconds(20))
                                        .asByteArray())
                        .isEqualTo(SentimentDemoModel.score("works great"));
                List<Message> notified =
                        sqs.receiveMessage(
                                        r ->
                                                r.queueUrl(ready.get("queueUrl").asText())
                                                        .waitTimeSeconds(20))
                                .messages();
                assertThat(notified).hasSize(1);
                JsonNode notification = new ObjectMapper().readTree(notified.get(0).body());
                assertThat(notification.get("inferenceId").asText())
                        .isEqualTo(response.inferenceId());
                assertThat(notification.get("responseParameters").get("outputLocation").asText())
                        .isEqualTo(response.outputLocation());
                assertThat(
                                Base64.getDecoder()
                                        .decode(
                                                notification
                                                        .get("responseBody")
                                                        .get("content")
                                                        .asText()))
                        .isEqualTo(SentimentDemoModel.score("works great"));
                assertThat(
                                s3.listObjectsV2(r -> r.bucket(ready.get("bucket").asText()))
                                        .join()
                                        .keyCount())
                        .isEqualTo(1);
            }
            assertThat(Files.readString(log)).contains("Local SageMaker async endpoint is up");
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void rejectsUnknownOptionsWithUsage() {
        assertThatThrownBy(() -> LocalSageMakerAsyncLauncher.parse(new String[] {"--prot", "1"}))
                .hasMessageContaining("Unknown option: --prot");
        assertThatThrownBy(() -> LocalSageMakerAsyncLauncher.parse(new String[] {"--port"}))
                .hasMessageContaining("--port needs a value");
        assertThatThrownBy(
                        () ->
                                LocalSageMakerAsyncLauncher.parse(
                                        new String[] {"--sqs-port", "70000"}))
                .hasMessageContaining("--sqs-port must be a port number");
        assertThat(LocalSageMakerAsyncLauncher.USAGE).contains("[--sqs-port N]");
    }

    @Test
    void rejectsAnUnknownModelAndANegativeLatency() {
        assertThatThrownBy(
                        () -> LocalSageMakerAsyncLauncher.parse(new String[] {"--model", "llama"}))
                .hasMessageContaining("--model must be sentiment or echo, got llama");
        assertThatThrownBy(
                        () ->
                                LocalSageMakerAsyncLauncher.parse(
                                        new String[] {"--model-latency", "-1"}))
                .hasMessageContaining("--model-latency must be milliseconds (0 or more), got -1");
        assertThat(LocalSageMakerAsyncLauncher.USAGE).contains("[--model-latency MS]");
    }

    /** What the benchmarks start in a separate JVM: an echo model taking a fixed time. */
    @Test
    void theEchoModelAnswersWithTheInputAfterTheModelLatency(@TempDir Path dir) throws Exception {
        try (LocalSageMakerAsync local =
                        LocalSageMakerAsyncLauncher.start(
                                LocalSageMakerAsyncLauncher.parse(
                                        new String[] {
                                            "--endpoint-name", "echoing",
                                            "--model", "echo",
                                            "--model-latency", "400",
                                            "--ready-file", dir.resolve("ready.json").toString()
                                        }));
                SageMakerRuntimeAsyncClient sageMaker =
                        LocalClients.sageMaker(
                                local,
                                software.amazon.awssdk.awscore.retry.AwsRetryStrategy
                                        .doNotRetry());
                S3AsyncClient s3 = LocalClients.s3(local)) {
            long start = System.nanoTime();
            InvokeEndpointAsyncResponse response =
                    sageMaker
                            .invokeEndpointAsync(
                                    r ->
                                            r.endpointName("echoing")
                                                    .body(SdkBytes.fromUtf8String("same back")))
                            .join();
            assertThat(
                            LocalClients.awaitObject(
                                            s3, response.outputLocation(), Duration.ofSeconds(20))
                                    .asUtf8String())
                    .isEqualTo("same back");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }
}
