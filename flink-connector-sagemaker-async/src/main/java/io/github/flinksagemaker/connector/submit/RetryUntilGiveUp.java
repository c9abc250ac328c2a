package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.RetryListener;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Makes one call again, with the SDK's full-jitter backoff, while it fails with an error that
 * another call may not have, until its give-up time: the retries the SDK does not make within a
 * call (a pool with no free connection, a broken upload, an interrupted call, a request that got no
 * answer, credentials that a provider could not give for a moment). Each call gets the time left as
 * its own limit.
 */
@Internal
final class RetryUntilGiveUp {
    private final ScheduledExecutorService timer;
    private final BackoffStrategy backoff;
    private final RetryListener listener;
    private final LongSupplier clock;

    RetryUntilGiveUp(
            ScheduledExecutorService timer,
            BackoffStrategy backoff,
            RetryListener listener,
            LongSupplier clock) {
        this.timer = timer;
        this.backoff = backoff;
        this.listener = listener;
        this.clock = clock;
    }

    /**
     * Calls {@code call} with the time left until {@code giveUpAt}, again after each failure that
     * {@code retryable} accepts while a backoff still ends before {@code giveUpAt}. The future
     * fails with the last error.
     */
    <T> CompletableFuture<T> call(
            Function<Duration, CompletableFuture<T>> call,
            Predicate<Throwable> retryable,
            long giveUpAt) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(1, call, retryable, giveUpAt, result);
        return result;
    }

    private <T> void attempt(
            int attempt,
            Function<Duration, CompletableFuture<T>> call,
            Predicate<Throwable> retryable,
            long giveUpAt,
            CompletableFuture<T> result) {
        CompletableFuture<T> done;
        try {
            done = call.apply(Duration.ofMillis(Math.max(1, giveUpAt - clock.getAsLong())));
        } catch (Throwable t) {
            done = CompletableFuture.failedFuture(t);
        }
        done.whenComplete(
                (value, error) -> {
                    if (error == null) {
                        result.complete(value);
                        return;
                    }
                    long delay = backoff.computeDelay(attempt).toMillis();
                    if (!retryable.test(error)
                            || clock.getAsLong() + delay >= giveUpAt
                            || timer.isShutdown()) {
                        result.completeExceptionally(error);
                        return;
                    }
                    listener.onRetry();
                    try {
                        timer.schedule(
                                () -> {
                                    if (clock.getAsLong() >= giveUpAt) {
                                        // The timer ran late: no time for another call.
                                        result.completeExceptionally(error);
                                    } else {
                                        attempt(attempt + 1, call, retryable, giveUpAt, result);
                                    }
                                },
                                delay,
                                TimeUnit.MILLISECONDS);
                    } catch (RuntimeException closed) {
                        result.completeExceptionally(error);
                    }
                });
    }
}
