package io.github.flinksagemaker.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for the ECS/EKS container credentials endpoint, so that the AWS SDK's default chain
 * (its {@code ContainerCredentialsProvider}) gets the local endpoint's credentials over HTTP, as a
 * job on ECS or EKS does: {@code GET /credentials} answers {@code AccessKeyId}, {@code
 * SecretAccessKey}, {@code Token} and an ISO-8601 {@code Expiration} six hours ahead. Point the SDK
 * at it with the system property {@code aws.containerCredentialsFullUri} (or the environment
 * variable {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}) set to {@link #uri()}.
 *
 * <p>{@link #unavailableFor} makes it answer 503 for a while, as the real endpoint can when every
 * task of a restarted job asks at once; {@link #refused()} counts those answers.
 */
public final class LocalContainerCredentials implements AutoCloseable {
    static final String PATH = "/credentials";
    static final String SESSION_TOKEN = "local-session-token";

    /** Far enough ahead that no SDK provider refreshes the credentials within a test. */
    private static final Duration VALIDITY = Duration.ofHours(6);

    private final ObjectMapper json = new ObjectMapper();
    private final String accessKeyId;
    private final String secretAccessKey;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** {@link System#nanoTime()} until which requests are refused; in the past when available. */
    private volatile long unavailableUntilNanos = System.nanoTime();

    private LocalContainerCredentials(String accessKeyId, String secretAccessKey)
            throws IOException {
        this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
        this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        this.server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.executor =
                Executors.newFixedThreadPool(4, LocalThreads.daemon("container-credentials-http"));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Serves these credentials, e.g. {@code local.accessKeyId(), local.secretAccessKey()}. */
    public static LocalContainerCredentials start(String accessKeyId, String secretAccessKey)
            throws IOException {
        return new LocalContainerCredentials(accessKeyId, secretAccessKey);
    }

    /** Serves the credentials that {@code local}'s SigV4 checks accept. */
    public static LocalContainerCredentials start(LocalSageMakerAsync local) throws IOException {
        return start(local.accessKeyId(), local.secretAccessKey());
    }

    /** The full URI, e.g. {@code http://127.0.0.1:41237/credentials}: loopback, as the SDK asks. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    /** Answers 503 to every request from now for {@code window}, then serves again. */
    public void unavailableFor(Duration window) {
        unavailableUntilNanos = System.nanoTime() + window.toNanos();
    }

    /** Requests answered with credentials. */
    public long served() {
        return served.get();
    }

    /** Requests answered 503 while unavailable. */
    public long refused() {
        return refused.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (System.nanoTime() - unavailableUntilNanos < 0) {
                refused.incrementAndGet();
                respond(
                        exchange,
                        503,
                        Map.of(
                                "code", "ServiceUnavailable",
                                "message", "Credentials are unavailable for now"));
                return;
            }
            if (!exchange.getRequestMethod().equals("GET")
                    || !exchange.getRequestURI().getPath().equals(PATH)) {
                respond(
                        exchange,
                        404,
                        Map.of("code", "NotFound", "message", "Only GET " + PATH + " is served"));
                return;
            }
            served.incrementAndGet();
            Map<String, String> credentials = new LinkedHashMap<>();
            credentials.put("AccessKeyId", accessKeyId);
            credentials.put("SecretAccessKey", secretAccessKey);
            credentials.put("Token", SESSION_TOKEN);
            credentials.put(
                    "Expiration",
                    Instant.now().plus(VALIDITY).truncatedTo(ChronoUnit.SECONDS).toString());
            respond(exchange, 200, credentials);
        }
    }

    private void respond(HttpExchange exchange, int status, Map<String, String> body)
            throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
