package io.github.flinksagemaker.local.model;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Forwards each invocation to a SageMaker-compatible model container over HTTP ({@code GET /ping},
 * {@code POST /invocations}), the way SageMaker hosts a container: the payload is the request body,
 * {@code Content-Type} and {@code Accept} are forwarded, and a non-2xx answer becomes an error
 * whose text is the container's response.
 */
public final class ContainerModel implements LocalModel {
    private static final String CUSTOM_ATTRIBUTES_HEADER = "X-Amzn-SageMaker-Custom-Attributes";

    private final URI baseUri;
    private final HttpClient client;
    private final Duration requestTimeout;

    public ContainerModel(URI baseUri, Duration requestTimeout) {
        this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Whether the container answers {@code GET /ping} with 200. */
    public boolean ping() {
        try {
            HttpRequest ping =
                    HttpRequest.newBuilder(baseUri.resolve("/ping"))
                            .timeout(Duration.ofSeconds(5))
                            .GET()
                            .build();
            return client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public ModelResponse invoke(ModelRequest request) throws Exception {
        HttpRequest.Builder http =
                HttpRequest.newBuilder(baseUri.resolve("/invocations"))
                        .timeout(requestTimeout)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()))
                        .header(
                                "Content-Type",
                                request.contentType() != null
                                        ? request.contentType()
                                        : "application/octet-stream");
        if (request.accept() != null) {
            http.header("Accept", request.accept());
        }
        if (request.customAttributes() != null) {
            http.header(CUSTOM_ATTRIBUTES_HEADER, request.customAttributes());
        }
        HttpResponse<byte[]> response =
                client.send(http.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            return ModelResponse.error(
                    "Model container answered "
                            + response.statusCode()
                            + ": "
                            + new String(response.body(), StandardCharsets.UTF_8));
        }
        String contentType =
                response.headers().firstValue("Content-Type").orElse("application/octet-stream");
        return ModelResponse.success(response.body(), contentType);
    }
}
