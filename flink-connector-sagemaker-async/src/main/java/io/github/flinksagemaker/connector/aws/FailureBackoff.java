package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.time.Duration;

/**
 * The connector's one rule for a call that keeps failing and is made again: the SDK's exponential
 * backoff with half jitter between attempts (at least half the exponential delay, so a retry never
 * follows its failure at once, yet calls that failed together do not come back together), and one
 * WARN for the first failure of a run, then DEBUG with the throwable attached (so a real bug's
 * stack trace is still there to be had, without a WARN per attempt). A success ends the run. Not
 * thread-safe: one per loop that retries.
 *
 * <p>A loop that retries one call uses {@link #onFailure(String, Throwable)}; one that retries many
 * items, each with its own count of failures, uses {@link #onFailure(String, Throwable, int)}: the
 * delay grows with the item's failures, the logging follows the loop's run.
 */
@Internal
public final class FailureBackoff {
    /** The SDK's exponent stops growing here (its delays are ints of milliseconds). */
    private static final int MAX_ATTEMPT = 30;

    private final BackoffStrategy backoff;
    private final Logger log;
    private int failuresInARow;

    public FailureBackoff(Duration firstDelay, Duration maxDelay, Logger log) {
        this(BackoffStrategy.exponentialDelayHalfJitter(firstDelay, maxDelay), log);
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
        return onFailure(what, error, failuresInARow + 1);
    }

    /**
     * Logs one more failure of {@code what}, one of many items the loop retries each on its own,
     * and returns how long to wait before trying that item again.
     *
     * @param itemFailures the item's failures so far, this one included (at least 1)
     */
    public Duration onFailure(String what, Throwable error, int itemFailures) {
        failuresInARow++;
        Duration delay = delayFor(itemFailures);
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

    /**
     * How long to wait after {@code failures} failures in a row before the next attempt: the first
     * delay after the first failure, doubling up to the max delay.
     */
    public Duration delayFor(int failures) {
        // The SDK numbers attempts: attempt 1 is the first call (no delay), attempt n+1 the one
        // after n failures.
        return backoff.computeDelay(Math.min(Math.max(failures, 1) + 1, MAX_ATTEMPT));
    }

    /** Ends a run of failures: the next failure is WARNed again. */
    public void onSuccess() {
        failuresInARow = 0;
    }

    public int failuresInARow() {
        return failuresInARow;
    }
}
