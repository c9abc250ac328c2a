package io.github.flinksagemaker.local;

/**
 * One accepted, validated {@code InvokeEndpointAsync} call. Exactly one of {@code body} and {@code
 * inputLocation} is non-null; optional members are null when absent.
 */
record AsyncInvocation(
        String endpointName,
        String inferenceId,
        byte[] body,
        String inputLocation,
        String contentType,
        String accept,
        String customAttributes,
        String outputPathExtension,
        String filename,
        int requestTtlSeconds,
        int invocationTimeoutSeconds) {

    boolean isInline() {
        return body != null;
    }
}
