package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationException;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends one payload to the endpoint: inline up to the inline limit, else uploaded to the S3 input
 * prefix under a key derived from the inference ID and sent as InputLocation. Shared by the
 * DataStream submit function and the SQL functions, so both take exactly the same path.
 *
 * <p>Failure policy: everything {@link AwsErrors#isRetryable} accepts (throttling, 5xx, network
 * errors, a broken upload, credentials missing for a moment) is retried with backoff until the
 * element's submit timeout (less a margin) runs out, with at most {@link AdaptiveConcurrencyLimit}
 * calls in flight; a fault of the element is a {@link SubmissionRejectedException}; a fault that
 * dooms every element (credentials, permissions, a missing endpoint or bucket) is a {@link
 * FatalAwsException}. A request that went out and got no answer may have been accepted: unless a
 * later one is answered, the submission is unconfirmed ({@link Submission#confirmed()}), never
 * rejected.
 */
@Internal
public final class InferenceSubmitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceSubmitter.class);

    /** Our own give-up comes this much before the async operator's timeout, with a clear reason. */
    private static final long MAX_MARGIN_MILLIS = 1_000L;

    private final SubmitConfig config;
    private final SageMakerRuntimeProxy sageMaker;
    private final S3ObjectStore s3;
    private final AdaptiveConcurrencyLimit limit;
    private final ScheduledExecutorService retryTimer;
    private final RetryUntilGiveUp retries;
    private volatile boolean expectedOutputLocationsHold = true;

    private final boolean filenamePerSubmission;

    InferenceSubmitter(
            SubmitConfig config,
            SageMakerRuntimeProxy sageMaker,
            S3ObjectStore s3,
            AdaptiveConcurrencyLimit limit,
            RetryListener listener,
            boolean filenamePerSubmission) {
        this.config = config;
        this.filenamePerSubmission = filenamePerSubmission;
        this.sageMaker = sageMaker;
        this.s3 = s3;
        this.limit = limit;
        this.retryTimer =
                Executors.newSingleThreadScheduledExecutor(
                        new ExecutorThreadFactory("sagemaker-submit-retry"));
        this.retries =
                new RetryUntilGiveUp(
                        retryTimer,
                        BackoffStrategy.exponentialDelay(
                                config.retrySettings().baseDelay(),
                                config.retrySettings().maxDelay()),
                        listener,
                        System::currentTimeMillis);
    }

    /**
     * Creates the clients (the S3 one only when an input prefix is configured); {@code listener}
     * hears of every retry and throttled attempt.
     */
    public static InferenceSubmitter open(
            SubmitConfig config, SubmitClientFactory factory, RetryListener listener) {
        return open(config, factory, listener, false);
    }

    /**
     * Like {@link #open(SubmitConfig, SubmitClientFactory, RetryListener)}; with {@code
     * filenamePerSubmission} the Filename derives from the inference ID and the submit time, so
     * that a later submission under an ID used before never finds the earlier one's output at its
     * output location (SQL, where a row's ID may be the user's and its replays do not resubmit).
     */
    public static InferenceSubmitter open(
            SubmitConfig config,
            SubmitClientFactory factory,
            RetryListener listener,
            boolean filenamePerSubmission) {
        AdaptiveConcurrencyLimit limit = new AdaptiveConcurrencyLimit(config.capacity());
        RetryListener slowingDown =
                new RetryListener() {
                    @Override
                    public void onRetry() {
                        listener.onRetry();
                    }

                    @Override
                    public void onThrottled() {
                        listener.onThrottled();
                        limit.throttled();
                    }
                };
        return new InferenceSubmitter(
                config,
                factory.sageMakerRuntime(config, slowingDown),
                config.inputPrefix() != null ? factory.s3(config, slowingDown) : null,
                limit,
                slowingDown,
                filenamePerSubmission);
    }

    public SubmitConfig config() {
        return config;
    }

    /** The current limit of calls in flight (it drops under throttling). */
    public int inFlightLimit() {
        return limit.limit();
    }

    /** Calls in flight now. */
    public int inFlight() {
        return limit.inFlight();
    }

    /** Where the payload of an inference sent through S3 is uploaded. */
    public String inputLocation(String inferenceId) {
        return InferenceIds.inputLocation(config.inputPrefix(), inferenceId).toString();
    }

    /** The path a payload of this many bytes takes. */
    public SubmitPath pathFor(int payloadBytes) {
        return payloadBytes <= config.inlineLimit() ? SubmitPath.INLINE : SubmitPath.S3;
    }

    /**
     * Submits {@code request}. The future fails with a {@link SubmissionRejectedException} naming
     * the reason (an empty or too large payload, a validation error, retries that ran out of time)
     * or with a {@link FatalAwsException}.
     */
    public CompletableFuture<Submission> submit(
            String inferenceId, SerializedRequest request, long submitTime) {
        return submit(inferenceId, request, submitTime, Long.MAX_VALUE);
    }

    /**
     * Like {@link #submit(String, SerializedRequest, long)}, but gives up by {@code latestMillis}
     * at the latest, when that comes before the submit timeout: a SQL row's time covers its
     * submission.
     */
    public CompletableFuture<Submission> submit(
            String inferenceId, SerializedRequest request, long submitTime, long latestMillis) {
        return submit(inferenceId, request, submitTime, latestMillis, new SubmissionProgress());
    }

    /**
     * Like {@link #submit(String, SerializedRequest, long, long)}, and marks {@code progress} sent
     * as the first call to the endpoint is made; once it is given up, no call is made.
     */
    public CompletableFuture<Submission> submit(
            String inferenceId,
            SerializedRequest request,
            long submitTime,
            long latestMillis,
            SubmissionProgress progress) {
        int size = request.payload().length;
        if (size == 0) {
            return CompletableFuture.failedFuture(
                    new SubmissionRejectedException(
                            RejectionReason.SERIALIZATION_FAILED,
                            "Refusing an empty payload: the service needs at least one byte"));
        }
        SubmitPath path = pathFor(size);
        if (path == SubmitPath.S3 && s3 == null) {
            return CompletableFuture.failedFuture(
                    new SubmissionRejectedException(
                            RejectionReason.PAYLOAD_TOO_LARGE,
                            "Payload of "
                                    + size
                                    + " bytes exceeds the inline limit of "
                                    + config.inlineLimit()
                                    + " bytes ('"
                                    + SubmitOptions.INLINE_LIMIT.key()
                                    + "') and no S3 input prefix is configured ('"
                                    + SubmitOptions.S3_INPUT_PREFIX.key()
                                    + "')"));
        }
        long giveUpAt =
                Math.min(latestMillis, submitTime + config.submitTimeout().toMillis() - margin());
        CompletableFuture<Submission> submission =
                limit.acquire()
                        .thenCompose(
                                permit ->
                                        path == SubmitPath.INLINE
                                                ? invoke(
                                                        inferenceId,
                                                        request,
                                                        submitTime,
                                                        null,
                                                        path,
                                                        giveUpAt,
                                                        progress)
                                                : upload(
                                                        inferenceId,
                                                        request,
                                                        submitTime,
                                                        giveUpAt,
                                                        progress));
        // Only a confirmed acceptance is a success for the limit: no answer is no sign of room.
        submission.whenComplete((done, error) -> limit.release(error == null && done.confirmed()));
        return submission;
    }

    private CompletableFuture<Submission> upload(
            String inferenceId,
            SerializedRequest request,
            long submitTime,
            long giveUpAt,
            SubmissionProgress progress) {
        S3Location location = InferenceIds.inputLocation(config.inputPrefix(), inferenceId);
        String inputLocation = location.toString();
        if (timeLeft(giveUpAt) == null) {
            return CompletableFuture.failedFuture(outOfTime(inferenceId, null));
        }
        return retries.call(
                        timeout ->
                                s3.putObject(
                                        location, request.payload(), contentType(request), timeout),
                        error -> AwsErrors.isRetryable(AwsErrors.classify(error)),
                        giveUpAt)
                .handle(
                        (ok, error) -> {
                            if (error != null) {
                                throw uploadFailure(inputLocation, error);
                            }
                            return ok;
                        })
                .thenCompose(
                        ok ->
                                invoke(
                                        inferenceId,
                                        request,
                                        submitTime,
                                        inputLocation,
                                        SubmitPath.S3,
                                        giveUpAt,
                                        progress));
    }

    /**
     * Invokes the endpoint, again while another call may succeed. A request that went out and got
     * no answer is sent again under the same inference ID; if none is answered by the give-up time,
     * the outcome is unknown: the submission is unconfirmed, never rejected.
     */
    private CompletableFuture<Submission> invoke(
            String inferenceId,
            SerializedRequest request,
            long submitTime,
            String inputLocation,
            SubmitPath path,
            long giveUpAt,
            SubmissionProgress progress) {
        if (timeLeft(giveUpAt) == null) {
            return CompletableFuture.failedFuture(outOfTime(inferenceId, inputLocation));
        }
        AtomicBoolean mayHaveBeenAccepted = new AtomicBoolean();
        return retries.call(
                        timeout -> {
                            if (!progress.markSent()) {
                                return CompletableFuture.failedFuture(
                                        outOfTime(inferenceId, inputLocation));
                            }
                            return sageMaker.invokeEndpointAsync(
                                    invocation(
                                            inferenceId,
                                            request,
                                            submitTime,
                                            inputLocation,
                                            timeout));
                        },
                        error -> {
                            if (mayHaveBeenAccepted(error)) {
                                mayHaveBeenAccepted.set(true);
                            }
                            return isRetryableInvocation(error);
                        },
                        giveUpAt)
                .handle(
                        (accepted, error) ->
                                outcome(
                                        inferenceId,
                                        submitTime,
                                        accepted,
                                        error,
                                        mayHaveBeenAccepted.get(),
                                        path,
                                        inputLocation));
    }

    private RuntimeException uploadFailure(String inputLocation, Throwable error) {
        AwsErrorKind kind = AwsErrors.classify(error);
        String advice = FatalAwsException.advice(kind);
        if (advice != null) {
            return FatalAwsException.of(
                    "Uploading a payload to "
                            + inputLocation
                            + " (s3:PutObject, option '"
                            + SubmitOptions.S3_INPUT_PREFIX.key()
                            + "')",
                    error,
                    advice);
        }
        return new SubmissionRejectedException(
                RejectionReason.SUBMIT_FAILED,
                "Upload to " + inputLocation + " failed: " + AwsErrors.describe(error));
    }

    @Override
    public void close() {
        retryTimer.shutdownNow();
        sageMaker.close();
        if (s3 != null) {
            s3.close();
        }
    }

    private Submission outcome(
            String inferenceId,
            long submitTime,
            InvocationAccepted accepted,
            Throwable error,
            boolean mayHaveBeenAccepted,
            SubmitPath path,
            String inputLocation) {
        if (error == null) {
            checkExpectedOutputLocation(inferenceId, submitTime, accepted);
            InvocationAccepted withId =
                    accepted.inferenceId() != null
                            ? accepted
                            : new InvocationAccepted(
                                    inferenceId,
                                    accepted.outputLocation(),
                                    accepted.failureLocation());
            return new Submission(withId, path, inputLocation, true);
        }
        Throwable cause = AwsErrors.unwrap(error);
        if (cause instanceof FatalAwsException) {
            throw (FatalAwsException) cause;
        }
        if (mayHaveBeenAccepted) {
            return unconfirmed(inferenceId, submitTime, path, inputLocation);
        }
        if (cause instanceof SubmissionRejectedException) {
            throw (SubmissionRejectedException) cause; // out of time, or given up, before a call
        }
        boolean invalid =
                cause instanceof InvocationException
                        && ((InvocationException) cause).kind()
                                == InvocationException.Kind.VALIDATION;
        throw new SubmissionRejectedException(
                invalid ? RejectionReason.VALIDATION_ERROR : RejectionReason.SUBMIT_FAILED,
                cause.getMessage(),
                inputLocation);
    }

    /**
     * A submission whose request may have been accepted although no answer came: pending under its
     * inference ID, with the output location it will have when that is known before the answer.
     */
    public Submission unconfirmed(
            String inferenceId, long submitTime, SubmitPath path, String inputLocation) {
        return new Submission(
                new InvocationAccepted(
                        inferenceId,
                        expectedOutputLocationsHold
                                ? config.expectedOutputLocationNamed(
                                        filename(inferenceId, submitTime), submitTime)
                                : null,
                        null),
                path,
                inputLocation,
                false);
    }

    /**
     * Expected output locations assume that the watched output path is the endpoint's S3OutputPath
     * itself; an accepted call that says otherwise (a parent prefix watched) turns them off.
     */
    private void checkExpectedOutputLocation(
            String inferenceId, long submitTime, InvocationAccepted accepted) {
        if (!expectedOutputLocationsHold || accepted.outputLocation() == null) {
            return;
        }
        String expected =
                config.expectedOutputLocationNamed(filename(inferenceId, submitTime), submitTime);
        if (expected != null && !expected.equals(accepted.outputLocation())) {
            expectedOutputLocationsHold = false;
            LOG.warn(
                    "The endpoint wrote inference '{}' to {}, not to {} as expected from '{}':"
                            + " submissions whose answer is lost cannot be looked for at their"
                            + " output location. Set the option to the endpoint's S3OutputPath",
                    inferenceId,
                    accepted.outputLocation(),
                    expected,
                    WatchOptions.OUTPUT_PATH.key());
        }
    }

    private static boolean mayHaveBeenAccepted(Throwable error) {
        Throwable cause = AwsErrors.unwrap(error);
        return cause instanceof InvocationException
                && ((InvocationException) cause).mayHaveBeenAccepted();
    }

    /** A failed call that another may not repeat: not invalid, not fatal, and not for good. */
    private static boolean isRetryableInvocation(Throwable error) {
        Throwable cause = AwsErrors.unwrap(error);
        if (!(cause instanceof InvocationException)) {
            return false;
        }
        InvocationException failed = (InvocationException) cause;
        if (failed.kind() != InvocationException.Kind.FAILED) {
            return false;
        }
        switch (failed.outcome()) {
            case UNANSWERED:
                return true;
            case ACCEPTED_ANSWER_UNREAD:
                return false; // accepted: sending it again would run and bill it twice
            default:
                return AwsErrors.isRetryable(AwsErrors.classify(failed.getCause()));
        }
    }

    private SubmissionRejectedException outOfTime(String inferenceId, String inputLocation) {
        return new SubmissionRejectedException(
                RejectionReason.SUBMIT_TIMEOUT,
                "No capacity to submit inference '"
                        + inferenceId
                        + "' in time ('"
                        + SubmitOptions.SUBMIT_TIMEOUT.key()
                        + "' = "
                        + config.submitTimeout()
                        + ", or a SQL row's time): the endpoint kept throttling",
                inputLocation);
    }

    private long margin() {
        return Math.min(MAX_MARGIN_MILLIS, config.submitTimeout().toMillis() / 10);
    }

    /** Time left for a call, or null when none is. */
    private static Duration timeLeft(long giveUpAt) {
        long left = giveUpAt - System.currentTimeMillis();
        return left > 0 ? Duration.ofMillis(left) : null;
    }

    private InvocationRequest invocation(
            String inferenceId,
            SerializedRequest request,
            long submitTime,
            String inputLocation,
            Duration timeout) {
        return new InvocationRequest(
                config.endpointName(),
                inferenceId,
                inputLocation == null ? request.payload() : null,
                inputLocation,
                contentType(request),
                request.accept() != null ? request.accept() : config.accept(),
                request.customAttributes() != null
                        ? request.customAttributes()
                        : config.customAttributes(),
                config.outputFilename() ? filename(inferenceId, submitTime) : null,
                config.outputPathExtension(submitTime),
                config.requestTtlSeconds(),
                config.invocationTimeoutSeconds(),
                timeout);
    }

    private String filename(String inferenceId, long submitTime) {
        return InferenceIds.filename(
                filenamePerSubmission ? inferenceId + "@" + submitTime : inferenceId);
    }

    private String contentType(SerializedRequest request) {
        return request.contentType() != null ? request.contentType() : config.contentType();
    }

    /** Strips the CompletionException wrappers futures add. */
    public static Throwable unwrap(Throwable error) {
        return AwsErrors.unwrap(error);
    }

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    /**
     * An accepted request: the service's answer, the path taken and the uploaded input, if any.
     * When not {@code confirmed}, the request went out and no answer came back: the locations are
     * those it will have if they are known in advance (the failure location never is).
     */
    public record Submission(
            InvocationAccepted accepted,
            SubmitPath path,
            String inputLocation,
            boolean confirmed) {}
}
