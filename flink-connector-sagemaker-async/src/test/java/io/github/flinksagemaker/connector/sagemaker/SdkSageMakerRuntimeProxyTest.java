package io.github.flinksagemaker.connector.sagemaker;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.RetryListener;

import org.apache.flink.configuration.Configuration;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The real SDK client over real HTTP against a scripted server: inside one call the SDK retries
 * only what the service answered, so the connector learns of every request that went out without an
 * answer, and of a 2xx it could not read.
 */
class SdkSageMakerRuntimeProxyTest {
    private static final RetryListener QUIET =
            new RetryListener() {
                @Override
                public void onRetry() {}

                @Override
                public void onThrottled() {}
            };

    /** What the server does with each request, in order; the last one repeats. */
    private enum Answer {
        ACCEPT,
        UNAVAILABLE,
        NEVER,
        ACCEPT_UNREADABLE
    }

    private final AtomicInteger requests = new AtomicInteger();
    private final Deque<Answer> script = new ArrayDeque<>();
    private HttpServer server;

    private SdkSageMakerRuntimeProxy proxyFor(int port) {
        Configuration config =
                new Configuration()
                        .set(AwsConfigOptions.AWS_REGION, "us-east-1")
                        .set(AwsConfigOptions.AWS_ENDPOINT, "http://127.0.0.1:" + port)
                        .set(AwsConfigOptions.HTTP_CLIENT_READ_TIMEOUT, Duration.ofMillis(500));
        config.setString("aws.credentials.provider", "BASIC");
        config.setString("aws.credentials.provider.basic.accesskeyid", "AKIDEXAMPLE");
        config.setString("aws.credentials.provider.basic.secretkey", "secret");
        return SdkSageMakerRuntimeProxy.create(
                config,
                4,
                new RetrySettings(Integer.MAX_VALUE, Duration.ofMillis(10), Duration.ofMillis(50)),
                QUIET);
    }

    private int serve(Answer... answers) throws IOException {
        script.addAll(java.util.List.of(answers));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::answer);
        server.start();
        return server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        Answer answer;
        synchronized (script) {
            answer = script.size() > 1 ? script.poll() : script.peek();
        }
        switch (answer) {
            case NEVER:
                try {
                    Thread.sleep(3_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            case UNAVAILABLE:
                respond(exchange, 503, "ServiceUnavailable", "{\"message\":\"try again\"}");
                return;
            case ACCEPT_UNREADABLE:
                respond(exchange, 202, null, "{\"InferenceId\": ");
                return;
            default:
                exchange.getResponseHeaders().set("X-Amzn-SageMaker-OutputLocation", "s3://b/o");
                respond(exchange, 202, null, "{\"InferenceId\":\"id-1\"}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String errorType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static InvocationRequest request() {
        return new InvocationRequest(
                "endpoint",
                "id-1",
                "{}".getBytes(StandardCharsets.UTF_8),
                null,
                "application/json",
                null,
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(10));
    }

    private static InvocationException failureOf(SdkSageMakerRuntimeProxy proxy) {
        Throwable error = catchThrowable(() -> proxy.invokeEndpointAsync(request()).join());
        assertThat(error).isInstanceOf(CompletionException.class);
        assertThat(error.getCause()).isInstanceOf(InvocationException.class);
        return (InvocationException) error.getCause();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void answeredErrorsAreRetriedInsideTheCall() throws Exception {
        try (SdkSageMakerRuntimeProxy proxy =
                proxyFor(serve(Answer.UNAVAILABLE, Answer.UNAVAILABLE, Answer.ACCEPT))) {
            InvocationAccepted accepted =
                    proxy.invokeEndpointAsync(request()).get(10, TimeUnit.SECONDS);

            assertThat(accepted.outputLocation()).isEqualTo("s3://b/o");
            assertThat(requests).hasValue(3);
        }
    }

    @Test
    void aRequestThatWentOutWithoutAnAnswerEndsTheCallAsUnanswered() throws Exception {
        try (SdkSageMakerRuntimeProxy proxy = proxyFor(serve(Answer.NEVER, Answer.ACCEPT))) {
            InvocationException failure = failureOf(proxy);

            // Not sent again inside the call: the connector decides, and knows it may be accepted.
            assertThat(failure.outcome()).isEqualTo(InvocationException.Outcome.UNANSWERED);
            assertThat(requests).hasValue(1);
        }
    }

    @Test
    void aTwoHundredWhoseBodyCannotBeReadIsAcceptedNotFailed() throws Exception {
        try (SdkSageMakerRuntimeProxy proxy = proxyFor(serve(Answer.ACCEPT_UNREADABLE))) {
            InvocationException failure = failureOf(proxy);

            assertThat(failure.outcome())
                    .isEqualTo(InvocationException.Outcome.ACCEPTED_ANSWER_UNREAD);
            assertThat(requests).hasValue(1);
        }
    }

    @Test
    void aRefusedConnectionWasNeverSent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (SdkSageMakerRuntimeProxy proxy = proxyFor(closedPort)) {
            InvocationException failure = failureOf(proxy);

            assertThat(failure.outcome()).isEqualTo(InvocationException.Outcome.NOT_ACCEPTED);
        }
    }
}
