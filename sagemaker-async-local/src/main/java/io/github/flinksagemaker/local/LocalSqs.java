package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.SqsOperation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.pekko.http.scaladsl.Http;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The embedded SQS: an in-process ElasticMQ on a loopback port of its own, and in front of it the
 * endpoint clients use, which counts each request by action and forwards it unchanged. ElasticMQ
 * offers no hook to observe requests, hence the front; the endpoint's own SendMessage calls (the
 * notifications SNS would deliver) go straight to ElasticMQ, so only client requests are counted.
 *
 * <p>The notifications use ElasticMQ's HTTP API with the JDK client: its in-process API is a Scala
 * actor protocol, and the SDK's sqs module is a test dependency only.
 */
final class LocalSqs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalSqs.class);

    static {
        // The JDK server reads this once; without it Nagle plus delayed ACK adds ~40 ms per call.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final String JSON_CONTENT_TYPE = "application/x-amz-json-1.0";

    /** Headers that belong to one connection, not to the request; the JDK client sets its own. */
    private static final Set<String> HOP_BY_HOP =
            Set.of(
                    "connection",
                    "content-length",
                    "date",
                    "expect",
                    "host",
                    "keep-alive",
                    "proxy-connection",
                    "te",
                    "trailer",
                    "transfer-encoding",
                    "upgrade",
                    "http2-settings");

    /**
     * Longer than any long poll (WaitTimeSeconds ≤ 20) and ElasticMQ's own 21 s request timeout, so
     * a poll always ends with ElasticMQ's answer, never the front's.
     */
    private static final Duration BACKEND_TIMEOUT = Duration.ofSeconds(60);

    private final ObjectMapper json = new ObjectMapper();
    private final LocalCounters counters;
    private final NetworkDelay networkDelay;
    private final HttpServer front;
    private final ExecutorService frontExecutor;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    private final SQSRestServer elasticMq;
    private final URI backend;
    private final Map<String, String> queueUrls = new ConcurrentHashMap<>();

    LocalSqs(int port, String region, LocalCounters counters, NetworkDelay networkDelay)
            throws IOException {
        this.counters = counters;
        this.networkDelay = networkDelay;
        this.front =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        SQSRestServer started = null;
        try {
            // Queue URLs name the front, so clients that send to a queue URL are counted too.
            started =
                    SQSRestServerBuilder.withInterface("127.0.0.1")
                            .withDynamicPort()
                            .withServerAddress(
                                    new NodeAddress(
                                            "http", "127.0.0.1", front.getAddress().getPort(), ""))
                            .withAWSRegion(region)
                            .start();
            Http.ServerBinding binding = started.waitUntilStarted();
            this.backend = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
        } catch (RuntimeException e) {
            front.stop(0);
            if (started != null) {
                started.stopAndWait();
            }
            throw e;
        }
        this.elasticMq = started;
        this.clientExecutor =
                Executors.newCachedThreadPool(LocalThreads.daemon("local-sqs-client"));
        this.client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .executor(clientExecutor)
                        .build();
        // Unbounded: every waiting long poll holds a thread for up to 20 s.
        this.frontExecutor = Executors.newCachedThreadPool(LocalThreads.daemon("local-sqs-http"));
        front.createContext("/", this::forward);
        front.setExecutor(frontExecutor);
        front.start();
    }

    /** What clients use: the counting front. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + front.getAddress().getPort());
    }

    /** ElasticMQ itself, uncounted; for the endpoint's own requests and for measuring the front. */
    URI backend() {
        return backend;
    }

    /** Creates a standard queue if missing and returns its URL (which names the front). */
    String createQueue(String name) {
        String url = queueUrls.get(name);
        if (url != null) {
            return url;
        }
        try {
            HttpResponse<byte[]> response =
                    client.send(
                            jsonRequest("CreateQueue", Map.of("QueueName", name)),
                            HttpResponse.BodyHandlers.ofByteArray());
            JsonNode answer = json.readTree(response.body());
            if (response.statusCode() != 200 || !answer.hasNonNull("QueueUrl")) {
                throw new IllegalArgumentException(
                        "Could not create queue '"
                                + name
                                + "': "
                                + response.statusCode()
                                + " "
                                + answer.path("message").asText(answer.path("__type").asText()));
            }
            url = answer.get("QueueUrl").asText();
        } catch (IOException e) {
            throw new IllegalStateException("Could not create queue '" + name + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating queue '" + name + "'", e);
        }
        queueUrls.put(name, url);
        return url;
    }

    /**
     * Puts messages on a queue in one SendMessageBatch (at most 10, as SQS allows) without counting
     * it as a client request: one request instead of ten, which is most of what ElasticMQ spends
     * per message.
     *
     * @return the indices of the messages the queue refused; completes exceptionally if the request
     *     failed as a whole
     */
    CompletableFuture<List<Integer>> sendMessages(String queueUrl, List<String> bodies) {
        List<Map<String, String>> entries = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            entries.add(Map.of("Id", Integer.toString(i), "MessageBody", bodies.get(i)));
        }
        HttpRequest request;
        try {
            request =
                    jsonRequest(
                            "SendMessageBatch", Map.of("QueueUrl", queueUrl, "Entries", entries));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        // Blocking send on our own pool: HttpClient.sendAsync hands every response to the common
        // pool, which on one or two cores starts a new thread per message.
        return CompletableFuture.supplyAsync(
                () -> {
                    HttpResponse<byte[]> response;
                    try {
                        response = send(request);
                        if (response.statusCode() != 200) {
                            throw new IOException(
                                    "SendMessageBatch answered "
                                            + response.statusCode()
                                            + " "
                                            + errorType(response.body()));
                        }
                        List<Integer> refused = new ArrayList<>();
                        for (JsonNode failed : json.readTree(response.body()).path("Failed")) {
                            refused.add(Integer.parseInt(failed.path("Id").asText()));
                        }
                        return refused;
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CompletionException(e);
                    }
                },
                clientExecutor);
    }

    private HttpRequest jsonRequest(String action, Map<String, ?> members) throws IOException {
        return HttpRequest.newBuilder(backend)
                .timeout(BACKEND_TIMEOUT)
                .header("Content-Type", JSON_CONTENT_TYPE)
                .header("X-Amz-Target", "AmazonSQS." + action)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(members)))
                .build();
    }

    private String errorType(byte[] body) {
        try {
            return json.readTree(body).path("__type").asText();
        } catch (IOException e) {
            return "(no JSON error)";
        }
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            counters.countSqsRequest(operation(exchange, body));
            networkDelay.pause();
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(
                                    URI.create(
                                            backend
                                                    + exchange.getRequestURI().getRawPath()
                                                    + (query != null ? "?" + query : "")))
                            .timeout(BACKEND_TIMEOUT)
                            .method(
                                    exchange.getRequestMethod(),
                                    body.length == 0
                                            ? HttpRequest.BodyPublishers.noBody()
                                            : HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders()
                    .forEach(
                            (name, values) -> {
                                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                                    for (String value : values) {
                                        try {
                                            request.header(name, value);
                                        } catch (IllegalArgumentException restricted) {
                                            // A header the JDK client sets itself; ElasticMQ
                                            // does not need it.
                                        }
                                    }
                                }
                            });
            HttpResponse<byte[]> response;
            try {
                response = send(request.build());
            } catch (IOException e) {
                LOG.warn("Local SQS did not answer a forwarded request: {}", e.toString());
                respondError(exchange, 502, "ServiceUnavailable", "Local SQS did not answer");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                respondError(exchange, 503, "ServiceUnavailable", "Local SQS is stopping");
                return;
            }
            Headers headers = exchange.getResponseHeaders();
            response.headers()
                    .map()
                    .forEach(
                            (name, values) -> {
                                if (!name.startsWith(":")
                                        && !HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                                    headers.put(name, List.copyOf(values));
                                }
                            });
            byte[] answer = response.body();
            boolean empty = answer.length == 0 || exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : answer.length);
            if (!empty) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    /**
     * Sends once more if a pooled connection turned out closed (ElasticMQ closes idle ones after 60
     * s), as the client would retry a connection reset itself.
     */
    private HttpResponse<byte[]> send(HttpRequest request)
            throws IOException, InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private void respondError(HttpExchange exchange, int status, String type, String message)
            throws IOException {
        byte[] bytes = json.writeValueAsBytes(Map.of("__type", type, "message", message));
        exchange.getResponseHeaders().set("Content-Type", JSON_CONTENT_TYPE);
        exchange.getResponseHeaders().set("x-amzn-query-error", type + ";Receiver");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /**
     * The action of an SQS request: the AWS JSON protocol names it in {@code X-Amz-Target} (SDK
     * 2.x), the query protocol in an {@code Action} parameter of the query or the form body.
     */
    static SqsOperation operation(HttpExchange exchange, byte[] body) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) {
            return SqsOperation.ofAction(target.substring(target.lastIndexOf('.') + 1));
        }
        String action = formParameter(exchange.getRequestURI().getRawQuery(), "Action");
        if (action == null) {
            action = formParameter(new String(body, StandardCharsets.UTF_8), "Action");
        }
        return SqsOperation.ofAction(action);
    }

    private static String formParameter(String form, String name) {
        if (form == null || form.isEmpty()) {
            return null;
        }
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return equals < 0
                        ? ""
                        : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public void close() {
        front.stop(0);
        frontExecutor.shutdownNow();
        try {
            elasticMq.stopAndWait();
        } finally {
            clientExecutor.shutdownNow();
        }
    }
}
