package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.time.Duration;

/**
 * How to retry one call: exponential backoff with full jitter between {@code baseDelay} and {@code
 * maxDelay}, at most {@code maxAttempts} attempts (no limit: {@link Integer#MAX_VALUE}); each call
 * also has a time limit, the time left until its element's submit timeout.
 */
@Internal
public record RetrySettings(int maxAttempts, Duration baseDelay, Duration maxDelay)
        implements Serializable {}
