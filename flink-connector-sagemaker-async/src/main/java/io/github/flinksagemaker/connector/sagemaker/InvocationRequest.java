package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

import java.time.Duration;

/**
 * One {@code InvokeEndpointAsync} call. Exactly one of {@code body} and {@code inputLocation} is
 * set; optional members are null when not sent. {@code timeout} bounds the call with all its
 * retries.
 */
@Internal
public record InvocationRequest(
        String endpointName,
        String inferenceId,
        byte[] body,
        String inputLocation,
        String contentType,
        String accept,
        String customAttributes,
        String filename,
        String outputPathExtension,
        Integer requestTtlSeconds,
        Integer invocationTimeoutSeconds,
        Duration timeout) {}
