package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.ContainerModel;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarding model against a minimal SageMaker-compatible container (GET /ping, POST
 * /invocations) served in the test.
 */
class ContainerModelITCase {
    private HttpServer container;
    private URI containerUri;

    @BeforeEach
    void startContainer() throws Exception {
        container =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        container.createContext(
                "/ping",
                exchange -> {
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        container.createContext(
                "/invocations",
                exchange -> {
                    String input =
                            new String(
                                    exchange.getRequestBody().readAllBytes(),
                                    StandardCharsets.UTF_8);
                    boolean fail = input.contains("fail");
                    byte[] out =
                            (fail
                                            ? "container says no"
                                            : input.toUpperCase(Locale.ROOT)
                                                    + "|"
                                                    + exchange.getRequestHeaders()
                                                            .getFirst("Content-Type")
                                                    + "|"
                                                    + exchange.getRequestHeaders()
                                                            .getFirst("Accept"))
                                    .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/x-upper");
                    exchange.sendResponseHeaders(fail ? 400 : 200, out.length);
                    exchange.getResponseBody().write(out);
                    exchange.close();
                });
        container.start();
        containerUri = URI.create("http://127.0.0.1:" + container.getAddress().getPort());
    }

    @AfterEach
    void stopContainer() {
        container.stop(0);
    }

    @Test
    void pingsTheContainer() {
        assertThat(new ContainerModel(containerUri, Duration.ofSeconds(5)).ping()).isTrue();
        container.stop(0);
        assertThat(new ContainerModel(containerUri, Duration.ofSeconds(5)).ping()).isFalse();
    }

    @Test
    void forwardsInvocationsAndTurnsNon2xxIntoFailureObjects() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
                SageMakerRuntimeAsyncClient sageMaker =
                        LocalClients.sageMaker(local, AwsRetryStrategy.doNotRetry());
                S3AsyncClient s3 = LocalClients.s3(local)) {
            local.registerEndpoint(
                    LocalEndpointConfig.builder("container")
                            .s3OutputPath("s3://" + local.bucket() + "/c/output")
                            .s3FailurePath("s3://" + local.bucket() + "/c/failure")
                            .model(new ContainerModel(containerUri, Duration.ofSeconds(5)))
                            .build());

            InvokeEndpointAsyncResponse ok =
                    sageMaker
                            .invokeEndpointAsync(
                                    r ->
                                            r.endpointName("container")
                                                    .body(SdkBytes.fromUtf8String("hello"))
                                                    .contentType("text/plain")
                                                    .accept("text/x-upper"))
                            .join();
            InvokeEndpointAsyncResponse failed =
                    sageMaker
                            .invokeEndpointAsync(
                                    r ->
                                            r.endpointName("container")
                                                    .body(SdkBytes.fromUtf8String("please fail")))
                            .join();

            var output = LocalClients.awaitObject(s3, ok.outputLocation(), Duration.ofSeconds(20));
            assertThat(output.asUtf8String()).isEqualTo("HELLO|text/plain|text/x-upper");
            assertThat(output.response().contentType()).isEqualTo("text/x-upper");
            assertThat(
                            LocalClients.awaitObject(
                                            s3, failed.failureLocation(), Duration.ofSeconds(20))
                                    .asUtf8String())
                    .isEqualTo("Model container answered 400: container says no");
        }
    }
}
