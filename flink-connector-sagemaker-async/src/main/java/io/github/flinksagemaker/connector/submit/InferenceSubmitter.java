package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationException;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;

import org.apache.flink.annotation.Internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one payload to the endpoint: inline up to the inline limit, else uploaded to the S3 input
 * prefix under a key derived from the inference ID and sent as InputLocation. Shared by the
 * DataStream submit function and the SQL functions, so both take exactly the same path.
 *
 * <p>Failure policy: throttling, 5xx and network errors are retried with backoff until the
 * element's submit timeout (less a margin) runs out, with at most {@link AdaptiveConcurrencyLimit}
 * calls in flight; a fault of the element is a {@link SubmissionRejectedException}; a fault that
 * dooms every element (credentials, permissions, a missing endpoint or bucket) is a {@link
 * FatalAwsException}.
 */
@Internal
public final class InferenceSubmitter implements AutoCloseable {
    /** Our own give-up comes this much before the async operator's timeout, with a clear reason. */
    private static final long MAX_MARGIN_MILLIS = 1_000L;

    private final SubmitConfig config;
    private final SageMakerRuntimeProxy sageMaker;
    private final S3ObjectStore s3;
    private final AdaptiveConcurrencyLimit limit;

    InferenceSubmitter(
            SubmitConfig config,
            SageMakerRuntimeProxy sageMaker,
            S3ObjectStore s3,
            AdaptiveConcurrencyLimit limit) {
        this.config = config;
        this.sageMaker = sageMaker;
        this.s3 = s3;
        this.limit = limit;
    }

    /**
     * Creates the clients (the S3 one only when an input prefix is configured); {@code listener}
     * hears of every retry and throttled attempt.
     */
    public static InferenceSubmitter open(
            SubmitConfig config, SubmitClientFactory factory, RetryListener listener) {
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
                limit);
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
                                                        giveUpAt)
                                                : upload(
                                                        inferenceId,
                                                        request,
                                                        submitTime,
                                                        giveUpAt));
        submission.whenComplete((done, error) -> limit.release(error == null));
        return submission;
    }

    private CompletableFuture<Submission> upload(
            String inferenceId, SerializedRequest request, long submitTime, long giveUpAt) {
        S3Location location = InferenceIds.inputLocation(config.inputPrefix(), inferenceId);
        String inputLocation = location.toString();
        Duration timeout = timeLeft(giveUpAt);
        if (timeout == null) {
            return CompletableFuture.failedFuture(outOfTime(inferenceId, null));
        }
        return s3.putObject(location, request.payload(), contentType(request), timeout)
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
                                        giveUpAt));
    }

    private CompletableFuture<Submission> invoke(
            String inferenceId,
            SerializedRequest request,
            long submitTime,
            String inputLocation,
            SubmitPath path,
            long giveUpAt) {
        Duration timeout = timeLeft(giveUpAt);
        if (timeout == null) {
            return CompletableFuture.failedFuture(outOfTime(inferenceId, inputLocation));
        }
        return sageMaker
                .invokeEndpointAsync(
                        invocation(inferenceId, request, submitTime, inputLocation, timeout))
                .handle(
                        (accepted, error) ->
                                outcome(inferenceId, accepted, error, path, inputLocation));
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
        sageMaker.close();
        if (s3 != null) {
            s3.close();
        }
    }

    private static Submission outcome(
            String inferenceId,
            InvocationAccepted accepted,
            Throwable error,
            SubmitPath path,
            String inputLocation) {
        if (error == null) {
            InvocationAccepted withId =
                    accepted.inferenceId() != null
                            ? accepted
                            : new InvocationAccepted(
                                    inferenceId,
                                    accepted.outputLocation(),
                                    accepted.failureLocation());
            return new Submission(withId, path, inputLocation);
        }
        Throwable cause = AwsErrors.unwrap(error);
        if (cause instanceof FatalAwsException) {
            throw (FatalAwsException) cause;
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
                config.outputFilename() ? InferenceIds.filename(inferenceId) : null,
                config.outputPathExtension(submitTime),
                config.requestTtlSeconds(),
                config.invocationTimeoutSeconds(),
                timeout);
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

    /** An accepted request: the service's answer, the path taken and the uploaded input, if any. */
    public record Submission(InvocationAccepted accepted, SubmitPath path, String inputLocation) {}
}
