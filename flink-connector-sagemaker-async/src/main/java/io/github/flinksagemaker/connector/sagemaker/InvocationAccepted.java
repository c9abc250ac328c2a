package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

/** The service's 202 answer: the authoritative link between a request and its result objects. */
@Internal
public record InvocationAccepted(
        String inferenceId, String outputLocation, String failureLocation) {}
