package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.config.SqlOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;

import org.apache.flink.annotation.Internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Waits for one inference's result by reading its output location with exponential backoff until
 * the row's deadline, and its failure location every {@value #FAILURE_LOOK_EVERY}th miss, at least
 * once a minute, and at the deadline (failures are rare; a model error is seen up to a minute
 * later, for about a third of the GETs). The service writes exactly one of the two, so the first
 * object found ends the wait.
 *
 * <p>Reading never fails a row that was accepted, so it is never submitted again. A failed read is
 * decided by {@link ResultReadFailure} for a location not yet seen: throttling and network errors
 * are a miss; a 403 is a miss too, because S3 answers 403 for a missing key when the role lacks
 * {@code s3:ListBucket}, and at the deadline an exact-key listing tells an absent object
 * (TIMED_OUT) from one S3 refuses to read (UNREADABLE); an object S3 will not hand over as it is
 * (archived, another KMS key) is UNREADABLE. Only faults that doom every row (credentials, a
 * missing bucket, another region) fail the future.
 */
@Internal
final class ResultPoller {
    /** The failure location is read on every this many misses, and at the deadline. */
    static final int FAILURE_LOOK_EVERY = 4;

    /** ... and at least this often. */
    static final long FAILURE_LOOK_MAX_INTERVAL_MILLIS = 60_000L;

    /**
     * The least time a read gets, also at the deadline: the last look may end this much (twice,
     * plus a listing) after the row's time, within the margin before the planner's timeout.
     */
    private static final long MIN_READ_TIMEOUT_MILLIS = 500L;

    /** Failure objects are error texts; more than this is cut in the message. */
    private static final int MAX_MESSAGE_CHARS = 2_000;

    private final S3ObjectStore store;
    private final ScheduledExecutorService scheduler;
    private final long initialDelayMillis;
    private final long maxDelayMillis;
    private final long maxContentBytes;
    private final LongSupplier clock;

    ResultPoller(
            S3ObjectStore store,
            ScheduledExecutorService scheduler,
            Duration initialDelay,
            Duration maxDelay,
            long maxContentBytes,
            LongSupplier clock) {
        this.store = store;
        this.scheduler = scheduler;
        this.initialDelayMillis = initialDelay.toMillis();
        this.maxDelayMillis = maxDelay.toMillis();
        this.maxContentBytes = maxContentBytes;
        this.clock = clock;
    }

    CompletableFuture<AwaitedResult> await(InvocationAccepted accepted, long deadlineMillis) {
        Wait wait = new Wait(accepted, deadlineMillis);
        wait.schedule(initialDelayMillis);
        return wait.result;
    }

    /** One inference's wait. Its looks run one after another, never two at once. */
    private final class Wait {
        final InvocationAccepted accepted;
        final long deadlineMillis;
        final CompletableFuture<AwaitedResult> result = new CompletableFuture<>();
        long delayMillis;
        int misses;
        boolean denied;
        long lastFailureLookMillis;

        Wait(InvocationAccepted accepted, long deadlineMillis) {
            this.accepted = accepted;
            this.deadlineMillis = deadlineMillis;
            this.lastFailureLookMillis = clock.getAsLong();
        }

        void schedule(long delay) {
            delayMillis = delay;
            long wait = Math.max(0, Math.min(delay, deadlineMillis - clock.getAsLong()));
            scheduler.schedule(
                    () -> {
                        try {
                            look();
                        } catch (RuntimeException e) {
                            // A scheduled task's exception would vanish; the caller must see it.
                            result.completeExceptionally(e);
                        }
                    },
                    wait,
                    TimeUnit.MILLISECONDS);
        }

        void look() {
            long now = clock.getAsLong();
            boolean last = now >= deadlineMillis;
            boolean failureToo =
                    last
                            || (misses + 1) % FAILURE_LOOK_EVERY == 0
                            || now - lastFailureLookMillis >= FAILURE_LOOK_MAX_INTERVAL_MILLIS;
            if (failureToo) {
                lastFailureLookMillis = now;
            }
            read(accepted.outputLocation(), false)
                    .thenCompose(
                            found ->
                                    found != null || !failureToo
                                            ? CompletableFuture.completedFuture(found)
                                            : read(accepted.failureLocation(), true))
                    .whenComplete(
                            (found, error) -> {
                                if (error != null) {
                                    result.completeExceptionally(AwsErrors.unwrap(error));
                                } else if (found != null) {
                                    result.complete(found);
                                } else if (last
                                        || (failureToo && clock.getAsLong() >= deadlineMillis)) {
                                    // Both locations were read and the time is up: no more looks.
                                    finish();
                                } else {
                                    misses++;
                                    schedule(Math.min(delayMillis * 2, maxDelayMillis));
                                }
                            });
        }

        /** Reads one location: its result, null for "not there (yet)", or a fatal fault. */
        CompletableFuture<AwaitedResult> read(String location, boolean failure) {
            if (location == null) {
                return CompletableFuture.completedFuture(null);
            }
            // Bounded by the time left, so a throttling storm cannot hold a look past the deadline.
            Duration timeout =
                    Duration.ofMillis(
                            Math.max(MIN_READ_TIMEOUT_MILLIS, deadlineMillis - clock.getAsLong()));
            return store.getObject(
                            S3Location.parse(location, "Returned result location"),
                            maxContentBytes,
                            timeout)
                    .handle(
                            (content, error) -> {
                                if (error == null) {
                                    return content == null
                                            ? null
                                            : found(content, location, failure);
                                }
                                return onReadError(error, location, failure);
                            });
        }

        AwaitedResult found(S3ObjectContent content, String location, boolean failure) {
            String id = accepted.inferenceId();
            if (failure) {
                return AwaitedResult.failed(
                        RowStatus.MODEL_ERROR,
                        id,
                        content.isOverLimit()
                                ? "The failure object of "
                                        + content.size()
                                        + " bytes is over '"
                                        + SqlOptions.MAX_RESULT_BYTES.key()
                                        + "' and was not read"
                                : text(content.bytes()),
                        location);
            }
            if (content.isOverLimit()) {
                return AwaitedResult.failed(
                        RowStatus.INVALID_OUTPUT,
                        id,
                        "The output of "
                                + content.size()
                                + " bytes at "
                                + location
                                + " is over '"
                                + SqlOptions.MAX_RESULT_BYTES.key()
                                + "' = "
                                + maxContentBytes
                                + " bytes and was not read",
                        location);
            }
            return AwaitedResult.success(id, content.bytes(), content.contentType(), location);
        }

        /**
         * What a failed GET means ({@link ResultReadFailure}, for a location not yet seen): null
         * for a miss, an UNREADABLE row, or a fatal fault. A fault that may pass is a miss too: the
         * next look reads again.
         */
        AwaitedResult onReadError(Throwable error, String location, boolean failure) {
            switch (ResultReadFailure.of(error, ResultLocationOrigin.CONFIGURED_UNSEEN)) {
                case ABSENT:
                case RETRY:
                    return null;
                case DENIED_MAYBE_ABSENT:
                    denied = true;
                    return null;
                case FATAL:
                    throw FatalAwsException.of(
                            "Reading the result at " + location + " (s3:GetObject)",
                            error,
                            FatalAwsException.advice(AwsErrors.classify(error)));
                case UNREADABLE:
                default:
                    return AwaitedResult.failed(
                            RowStatus.UNREADABLE,
                            accepted.inferenceId(),
                            "The "
                                    + (failure ? "failure" : "output")
                                    + " object at "
                                    + location
                                    + " cannot be read: "
                                    + AwsErrors.describe(error),
                            location);
            }
        }

        /** Nothing found by the deadline: TIMED_OUT, unless a 403 hid an existing object. */
        void finish() {
            String nothing =
                    "No output at "
                            + accepted.outputLocation()
                            + (accepted.failureLocation() != null
                                    ? " and no failure at " + accepted.failureLocation()
                                    : "")
                            + " by the row's deadline";
            if (!denied) {
                result.complete(timedOut(nothing));
                return;
            }
            find(accepted.outputLocation())
                    .thenCombine(
                            find(accepted.failureLocation()),
                            (output, failure) -> output != null ? output : failure)
                    .whenComplete(
                            (existing, error) -> {
                                if (error != null) {
                                    result.complete(
                                            timedOut(
                                                    nothing
                                                            + "; S3 answered 403 to the GETs and"
                                                            + " the exact-key listing failed too ("
                                                            + AwsErrors.describe(error)
                                                            + "): grant s3:ListBucket, so that a"
                                                            + " missing result answers 404"));
                                } else if (existing != null) {
                                    result.complete(
                                            AwaitedResult.failed(
                                                    RowStatus.UNREADABLE,
                                                    accepted.inferenceId(),
                                                    "The result at "
                                                            + existing
                                                            + " exists but S3 refused to read it"
                                                            + " (403): grant s3:GetObject on it,"
                                                            + " and its KMS key if it has one",
                                                    existing));
                                } else {
                                    result.complete(timedOut(nothing));
                                }
                            });
        }

        /** The location if an object is there (an exact-key LIST), else null. */
        CompletableFuture<String> find(String location) {
            if (location == null) {
                return CompletableFuture.completedFuture(null);
            }
            return store.findObject(S3Location.parse(location, "Returned result location"))
                    .orTimeout(MIN_READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                    .thenApply((S3ObjectSummary summary) -> summary == null ? null : location);
        }

        AwaitedResult timedOut(String message) {
            return AwaitedResult.failed(RowStatus.TIMED_OUT, accepted.inferenceId(), message, null);
        }
    }

    private static String text(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        return text.length() <= MAX_MESSAGE_CHARS
                ? text
                : text.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
}
