package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationException;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.sagemaker.RetryListener;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;

import org.apache.flink.annotation.Internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends one payload to the endpoint: inline up to the inline limit, else uploaded to the S3 input
 * prefix under a key derived from the inference ID and sent as InputLocation. Shared by the
 * DataStream submit function and the SQL functions, so both take exactly the same path.
 */
@Internal
public final class InferenceSubmitter implements AutoCloseable {
    private final SubmitConfig config;
    private final SageMakerRuntimeProxy sageMaker;
    private final S3ObjectStore s3;

    InferenceSubmitter(SubmitConfig config, SageMakerRuntimeProxy sageMaker, S3ObjectStore s3) {
        this.config = config;
        this.sageMaker = sageMaker;
        this.s3 = s3;
    }

    /** Creates the clients; the S3 one only when an input prefix is configured. */
    public static InferenceSubmitter open(
            SubmitConfig config, SubmitClientFactory factory, RetryListener listener) {
        return new InferenceSubmitter(
                config,
                factory.sageMakerRuntime(config, listener),
                config.inputPrefix() != null ? factory.s3(config) : null);
    }

    public SubmitConfig config() {
        return config;
    }

    /** The path a payload of this many bytes takes. */
    public SubmitPath pathFor(int payloadBytes) {
        return payloadBytes <= config.inlineLimit() ? SubmitPath.INLINE : SubmitPath.S3;
    }

    /**
     * Submits {@code request}. The future fails with a {@link SubmissionRejectedException} naming
     * the reason: an empty or too large payload, a validation error, or an upload or call that kept
     * failing after retries.
     */
    public CompletableFuture<Submission> submit(
            String inferenceId, SerializedRequest request, long submitTime) {
        int size = request.payload().length;
        if (size == 0) {
            return CompletableFuture.failedFuture(
                    new SubmissionRejectedException(
                            RejectionReason.SERIALIZATION_FAILED,
                            "Refusing an empty payload: the service needs at least one byte"));
        }
        SubmitPath path = pathFor(size);
        if (path == SubmitPath.INLINE) {
            return sageMaker
                    .invokeEndpointAsync(invocation(inferenceId, request, submitTime, null))
                    .handle((accepted, error) -> outcome(inferenceId, accepted, error, path, null));
        }
        if (s3 == null) {
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
        S3Location location = InferenceIds.inputLocation(config.inputPrefix(), inferenceId);
        String inputLocation = location.toString();
        return s3.putObject(location, request.payload(), contentType(request))
                .handle(
                        (ok, error) -> {
                            if (error != null) {
                                throw new SubmissionRejectedException(
                                        RejectionReason.SUBMIT_FAILED,
                                        "Upload to "
                                                + inputLocation
                                                + " failed: "
                                                + describe(unwrap(error)));
                            }
                            return ok;
                        })
                .thenCompose(
                        ok ->
                                sageMaker
                                        .invokeEndpointAsync(
                                                invocation(
                                                        inferenceId,
                                                        request,
                                                        submitTime,
                                                        inputLocation))
                                        .handle(
                                                (accepted, error) ->
                                                        outcome(
                                                                inferenceId,
                                                                accepted,
                                                                error,
                                                                path,
                                                                inputLocation)));
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
        Throwable cause = unwrap(error);
        boolean invalid =
                cause instanceof InvocationException
                        && ((InvocationException) cause).kind()
                                == InvocationException.Kind.VALIDATION;
        throw new SubmissionRejectedException(
                invalid ? RejectionReason.VALIDATION_ERROR : RejectionReason.SUBMIT_FAILED,
                cause.getMessage());
    }

    private InvocationRequest invocation(
            String inferenceId, SerializedRequest request, long submitTime, String inputLocation) {
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
                config.invocationTimeoutSeconds());
    }

    private String contentType(SerializedRequest request) {
        return request.contentType() != null ? request.contentType() : config.contentType();
    }

    /** Strips the CompletionException wrappers futures add. */
    public static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    }

    /** An accepted request: the service's answer, the path taken and the uploaded input, if any. */
    public record Submission(InvocationAccepted accepted, SubmitPath path, String inputLocation) {}
}
