package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Objects;

/**
 * The payload of one element, with optional per-element overrides of the configured content type,
 * accept and custom attributes (null keeps the configured value).
 */
@PublicEvolving
public final class SerializedRequest {
    private final byte[] payload;
    private final String contentType;
    private final String accept;
    private final String customAttributes;

    private SerializedRequest(
            byte[] payload, String contentType, String accept, String customAttributes) {
        this.payload = Objects.requireNonNull(payload, "payload");
        this.contentType = contentType;
        this.accept = accept;
        this.customAttributes = customAttributes;
    }

    /** The payload bytes, not copied: do not modify the array afterwards. */
    public static SerializedRequest of(byte[] payload) {
        return new SerializedRequest(payload, null, null, null);
    }

    public SerializedRequest withContentType(String contentType) {
        return new SerializedRequest(payload, contentType, accept, customAttributes);
    }

    public SerializedRequest withAccept(String accept) {
        return new SerializedRequest(payload, contentType, accept, customAttributes);
    }

    public SerializedRequest withCustomAttributes(String customAttributes) {
        return new SerializedRequest(payload, contentType, accept, customAttributes);
    }

    public byte[] payload() {
        return payload;
    }

    public String contentType() {
        return contentType;
    }

    public String accept() {
        return accept;
    }

    public String customAttributes() {
        return customAttributes;
    }
}
