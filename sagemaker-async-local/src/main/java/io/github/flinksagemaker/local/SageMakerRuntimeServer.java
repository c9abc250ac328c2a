package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.Rejection;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SageMaker Runtime HTTP API as far as async inference goes: {@code POST
 * /endpoints/{EndpointName}/async-invocations}, SigV4-checked, answering 202 with the inference ID
 * and the output and failure locations, or a rest-json error.
 */
final class SageMakerRuntimeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SageMakerRuntimeServer.class);
    private static final Pattern ASYNC_INVOCATIONS =
            Pattern.compile("^/endpoints/([^/]+)/async-invocations$");
    private static final String ACCOUNT = "000000000000";

    /** Bodies above the inline limit are rejected anyway; this only bounds what is read. */
    private static final int MAX_READ_BYTES = 16 * 1024 * 1024;

    static {
        // The JDK server reads this once; without it Nagle plus delayed ACK adds ~44 ms per call.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final int SERVER_THREADS = 128;

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, EndpointRuntime> endpoints;
    private final LocalCounters counters;
    private final SigV4Verifier verifier;
    private final HttpServer server;
    private final ExecutorService executor;
    private final NetworkDelay networkDelay;
    private final NetworkDelay sageMakerDelay;

    SageMakerRuntimeServer(
            int port,
            String region,
            String accessKeyId,
            String secretAccessKey,
            Map<String, EndpointRuntime> endpoints,
            LocalCounters counters,
            NetworkDelay networkDelay,
            NetworkDelay sageMakerDelay)
            throws IOException {
        this.networkDelay = networkDelay;
        this.sageMakerDelay = sageMakerDelay;
        this.endpoints = endpoints;
        this.counters = counters;
        this.verifier =
                new SigV4Verifier(
                        accessKeyId, secretAccessKey, region, "sagemaker", Clock.systemUTC());
        this.server =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        this.executor =
                // Enough threads that a configured network delay (a sleep per request) does not
                // cap the request rate below what the clients put in flight.
                Executors.newFixedThreadPool(
                        SERVER_THREADS, LocalThreads.daemon("sagemaker-runtime-http"));
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        networkDelay.pause();
        sageMakerDelay.pause();
        try (exchange) {
            try {
                EndpointRuntime.Accepted accepted = invoke(exchange);
                exchange.getResponseHeaders()
                        .set(
                                "X-Amzn-SageMaker-OutputLocation",
                                accepted.outputLocation().toString());
                if (accepted.failureLocationReturned()) {
                    exchange.getResponseHeaders()
                            .set(
                                    "X-Amzn-SageMaker-FailureLocation",
                                    accepted.failureLocation().toString());
                }
                respond(exchange, 202, null, Map.of("InferenceId", accepted.inferenceId()));
            } catch (ServiceException e) {
                respond(exchange, e.status(), e.errorType(), Map.of("message", e.getMessage()));
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure handling {}", exchange.getRequestURI(), e);
                respond(
                        exchange,
                        500,
                        "InternalFailure",
                        Map.of("message", "An internal failure occurred: " + e));
            }
        }
    }

    private EndpointRuntime.Accepted invoke(HttpExchange exchange)
            throws IOException, ServiceException {
        byte[] body = readBody(exchange.getRequestBody());
        Function<String, List<String>> headers =
                name -> exchange.getRequestHeaders().getOrDefault(name, List.of());
        String path = exchange.getRequestURI().getRawPath();
        Matcher matcher = ASYNC_INVOCATIONS.matcher(path);
        if (!exchange.getRequestMethod().equals("POST") || !matcher.matches()) {
            throw new ServiceException(
                    404,
                    "UnknownOperationException",
                    "This local endpoint serves only POST /endpoints/{EndpointName}/async-invocations,"
                            + " not "
                            + exchange.getRequestMethod()
                            + " "
                            + path);
        }
        try {
            verifier.verify(
                    exchange.getRequestMethod(),
                    path,
                    exchange.getRequestURI().getRawQuery(),
                    headers,
                    body);
        } catch (ServiceException e) {
            counters.countRejection(Rejection.UNAUTHORIZED);
            throw e;
        }
        try {
            String endpointName = matcher.group(1);
            InvocationParser.validateEndpointName(endpointName);
            EndpointRuntime endpoint = endpoints.get(endpointName);
            if (endpoint == null) {
                throw ServiceException.validation(
                        "Endpoint " + endpointName + " of account " + ACCOUNT + " not found.");
            }
            endpoint.maybeReject();
            return endpoint.accept(InvocationParser.parse(endpointName, headers, body));
        } catch (ServiceException e) {
            if (e.status() == 400) {
                counters.countRejection(Rejection.VALIDATION);
            }
            throw e;
        }
    }

    private static byte[] readBody(InputStream in) throws IOException, ServiceException {
        byte[] body = in.readNBytes(MAX_READ_BYTES + 1);
        if (body.length > MAX_READ_BYTES) {
            throw ServiceException.validation(
                    "Request body is larger than " + MAX_READ_BYTES + " bytes");
        }
        return body;
    }

    private void respond(HttpExchange exchange, int status, String errorType, Object payload)
            throws IOException {
        byte[] bytes = json.writeValueAsBytes(payload);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        if (errorType != null) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
