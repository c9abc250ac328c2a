package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.time.Duration;

/**
 * How hard to retry one call: attempts in all, exponential backoff with full jitter between {@code
 * baseDelay} and {@code maxDelay}, and a deadline for the call including every retry.
 */
@Internal
public record RetrySettings(
        int maxAttempts, Duration baseDelay, Duration maxDelay, Duration deadline)
        implements Serializable {}
