package io.github.flinksagemaker.local.model;

import java.util.Objects;

/**
 * What a SageMaker-compatible container receives on {@code POST /invocations}: the payload, its
 * content type, the requested response type and the caller's custom attributes.
 */
public final class ModelRequest {
    private final byte[] body;
    private final String contentType;
    private final String accept;
    private final String customAttributes;
    private final String inferenceId;

    public ModelRequest(
            byte[] body,
            String contentType,
            String accept,
            String customAttributes,
            String inferenceId) {
        this.body = Objects.requireNonNull(body, "body");
        this.contentType = contentType;
        this.accept = accept;
        this.customAttributes = customAttributes;
        this.inferenceId = Objects.requireNonNull(inferenceId, "inferenceId");
    }

    /** The payload; not copied, do not modify. */
    public byte[] body() {
        return body;
    }

    /** The request's {@code ContentType}, or null when the caller gave none. */
    public String contentType() {
        return contentType;
    }

    /** The request's {@code Accept}, or null when the caller gave none. */
    public String accept() {
        return accept;
    }

    /** The request's {@code CustomAttributes}, or null when the caller gave none. */
    public String customAttributes() {
        return customAttributes;
    }

    public String inferenceId() {
        return inferenceId;
    }
}
