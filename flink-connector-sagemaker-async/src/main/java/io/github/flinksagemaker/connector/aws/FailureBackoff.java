package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.time.Duration;

/**
 * The connector's one rule for a call that keeps failing and is made again: the SDK's exponential
 * backoff with full jitter between attempts, and one WARN for the first failure of a run, then
 * DEBUG with the throwable attached (so a real bug's stack trace is still there to be had, without
 * a WARN per attempt). A success ends the run. Not thread-safe: one per loop that retries.
 */
@Internal
public final class FailureBackoff {
    private final BackoffStrategy backoff;
    private final Logger log;
    private int failuresInARow;

    public FailureBackoff(Duration firstDelay, Duration maxDelay, Logger log) {
        this(BackoffStrategy.exponentialDelay(firstDelay, maxDelay), log);
    }

    /** With a given strategy, e.g. {@link BackoffStrategy#fixedDelayWithoutJitter} in tests. */
    public FailureBackoff(BackoffStrategy backoff, Logger log) {
        this.backoff = backoff;
        this.log = log;
    }

    /**
     * Logs one more failure of {@code what} (e.g. "Reading result object s3://b/k") and returns how
     * long to wait before trying again.
     */
    public Duration onFailure(String what, Throwable error) {
        failuresInARow++;
        Duration delay = backoff.computeDelay(Math.min(failuresInARow, 30));
        if (failuresInARow == 1) {
            log.warn(
                    "{} failed: {}; retrying with backoff (further failures in a row are logged"
                            + " at DEBUG)",
                    what,
                    AwsErrors.describe(error));
        } else if (log.isDebugEnabled()) {
            log.debug(
                    "{} failed again ({} in a row); retrying in {} ms",
                    what,
                    failuresInARow,
                    delay.toMillis(),
                    error);
        }
        return delay;
    }

    /** Ends a run of failures: the next failure is WARNed again. */
    public void onSuccess() {
        failuresInARow = 0;
    }

    public int failuresInARow() {
        return failuresInARow;
    }
}
