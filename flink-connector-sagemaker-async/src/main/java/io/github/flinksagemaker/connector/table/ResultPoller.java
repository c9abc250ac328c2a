package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;

import org.apache.flink.annotation.Internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Waits for one inference's result by reading its output location, then its failure location, with
 * exponential backoff until the deadline. A miss costs one GET per location; the service writes
 * exactly one of the two, so the first object found ends the wait.
 */
@Internal
final class ResultPoller {
    /** Failure objects are error texts; more than this is cut in the message. */
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private final S3ObjectStore store;
    private final ScheduledExecutorService scheduler;
    private final long initialDelayMillis;
    private final long maxDelayMillis;
    private final LongSupplier clock;

    ResultPoller(
            S3ObjectStore store,
            ScheduledExecutorService scheduler,
            Duration initialDelay,
            Duration maxDelay,
            LongSupplier clock) {
        this.store = store;
        this.scheduler = scheduler;
        this.initialDelayMillis = initialDelay.toMillis();
        this.maxDelayMillis = maxDelay.toMillis();
        this.clock = clock;
    }

    CompletableFuture<AwaitedResult> await(InvocationAccepted accepted, long deadlineMillis) {
        CompletableFuture<AwaitedResult> result = new CompletableFuture<>();
        schedule(accepted, deadlineMillis, initialDelayMillis, result);
        return result;
    }

    private void schedule(
            InvocationAccepted accepted,
            long deadlineMillis,
            long delayMillis,
            CompletableFuture<AwaitedResult> result) {
        long wait = Math.max(0, Math.min(delayMillis, deadlineMillis - clock.getAsLong()));
        scheduler.schedule(
                () -> {
                    try {
                        look(accepted, deadlineMillis, delayMillis, result);
                    } catch (RuntimeException e) {
                        // A scheduled task's exception would vanish; the caller must see it.
                        result.completeExceptionally(e);
                    }
                },
                wait,
                TimeUnit.MILLISECONDS);
    }

    private void look(
            InvocationAccepted accepted,
            long deadlineMillis,
            long delayMillis,
            CompletableFuture<AwaitedResult> result) {
        read(accepted.outputLocation())
                .thenCompose(
                        output -> {
                            if (output != null) {
                                return CompletableFuture.completedFuture(
                                        new AwaitedResult(
                                                InferenceStatus.SUCCESS,
                                                accepted.inferenceId(),
                                                output.bytes(),
                                                output.contentType(),
                                                null));
                            }
                            return read(accepted.failureLocation())
                                    .thenApply(
                                            failure ->
                                                    failure == null
                                                            ? null
                                                            : new AwaitedResult(
                                                                    InferenceStatus.MODEL_ERROR,
                                                                    accepted.inferenceId(),
                                                                    null,
                                                                    null,
                                                                    message(failure)));
                        })
                .whenComplete(
                        (found, error) -> {
                            if (error != null) {
                                result.completeExceptionally(error);
                            } else if (found != null) {
                                result.complete(found);
                            } else if (clock.getAsLong() >= deadlineMillis) {
                                result.complete(
                                        new AwaitedResult(
                                                InferenceStatus.TIMED_OUT,
                                                accepted.inferenceId(),
                                                null,
                                                null,
                                                "No output at "
                                                        + accepted.outputLocation()
                                                        + " and no failure at "
                                                        + accepted.failureLocation()
                                                        + " by the deadline"));
                            } else {
                                schedule(
                                        accepted,
                                        deadlineMillis,
                                        Math.min(delayMillis * 2, maxDelayMillis),
                                        result);
                            }
                        });
    }

    private CompletableFuture<S3ObjectContent> read(String location) {
        if (location == null) {
            return CompletableFuture.completedFuture(null);
        }
        return store.getObject(S3Location.parse(location, "Returned result location"));
    }

    private static String message(S3ObjectContent failure) {
        String text = new String(failure.bytes(), StandardCharsets.UTF_8).strip();
        return text.length() <= MAX_MESSAGE_CHARS
                ? text
                : text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
