package io.github.flinksagemaker.local.model;

import java.util.Objects;

/**
 * What a model returns: output bytes with their content type, or an error whose message becomes the
 * failure object, as a container's non-2xx answer does on the real service.
 */
public final class ModelResponse {
    private final byte[] body;
    private final String contentType;
    private final String errorMessage;

    private ModelResponse(byte[] body, String contentType, String errorMessage) {
        this.body = body;
        this.contentType = contentType;
        this.errorMessage = errorMessage;
    }

    public static ModelResponse success(byte[] body, String contentType) {
        return new ModelResponse(
                Objects.requireNonNull(body, "body"),
                Objects.requireNonNull(contentType, "contentType"),
                null);
    }

    public static ModelResponse error(String message) {
        return new ModelResponse(null, null, Objects.requireNonNull(message, "message"));
    }

    public boolean isError() {
        return errorMessage != null;
    }

    /** The output bytes; only for a success. */
    public byte[] body() {
        if (isError()) {
            throw new IllegalStateException("An error response has no body: " + errorMessage);
        }
        return body;
    }

    /** The output's content type; only for a success. */
    public String contentType() {
        if (isError()) {
            throw new IllegalStateException("An error response has no content type");
        }
        return contentType;
    }

    /** The error text; only for an error. */
    public String errorMessage() {
        if (!isError()) {
            throw new IllegalStateException("A success response has no error message");
        }
        return errorMessage;
    }
}
