package io.github.flinksagemaker.connector.sagemaker;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.aws.RetryCountingInterceptor;
import io.github.flinksagemaker.connector.aws.RetryListener;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncRequest;
import software.amazon.awssdk.services.sagemakerruntime.model.ValidationErrorException;

import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@link SageMakerRuntimeProxy} over the SDK's Netty-based {@link SageMakerRuntimeAsyncClient},
 * with the SDK's standard retry strategy doing the retrying.
 */
@Internal
public final class SdkSageMakerRuntimeProxy implements SageMakerRuntimeProxy {
    private static final Pattern ENDPOINT_NOT_FOUND =
            Pattern.compile("Endpoint \\S+ of account \\S+ not found");

    private final SageMakerRuntimeAsyncClient client;

    SdkSageMakerRuntimeProxy(SageMakerRuntimeAsyncClient client) {
        this.client = client;
    }

    /** A proxy with its own client, built from {@code aws.*} options. */
    public static SdkSageMakerRuntimeProxy create(
            Configuration awsConfig,
            int maxConcurrency,
            RetrySettings retries,
            RetryListener listener) {
        return new SdkSageMakerRuntimeProxy(
                AwsClients.sageMakerRuntime(
                        awsConfig,
                        maxConcurrency,
                        override ->
                                override.retryStrategy(answeredErrorsRetryStrategy(retries))
                                        .addExecutionInterceptor(
                                                new RetryCountingInterceptor(listener))
                                        .addExecutionInterceptor(
                                                new TransmissionTrace.Interceptor())));
    }

    /**
     * The SDK's standard strategy (throttling, 500/502/503/504 and I/O errors are retryable) with
     * full-jitter backoff, plus the other retryable SageMaker Runtime statuses: 429
     * (ModelNotReadyException) and 530 (InternalDependencyException). The circuit breaker is off:
     * under sustained throttling a Flink job should slow down, not give up on elements; each call's
     * time limit, not an attempt count, ends its retries.
     */
    public static RetryStrategy retryStrategy(RetrySettings retries) {
        BackoffStrategy backoff =
                BackoffStrategy.exponentialDelay(retries.baseDelay(), retries.maxDelay());
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(retries.maxAttempts())
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .retryOnException(
                        e ->
                                e instanceof AwsServiceException
                                        && (((AwsServiceException) e).statusCode() == 429
                                                || ((AwsServiceException) e).statusCode() == 530))
                .build();
    }

    /**
     * The retries of {@code InvokeEndpointAsync} inside one SDK call: those of {@link
     * #retryStrategy} that the service answered (throttling, 429, 5xx, 530), so that a request that
     * went out and got no answer ends the call and the caller learns that its outcome is unknown.
     * The caller sends such a request again itself, under the same inference ID.
     */
    static RetryStrategy answeredErrorsRetryStrategy(RetrySettings retries) {
        BackoffStrategy backoff =
                BackoffStrategy.exponentialDelay(retries.baseDelay(), retries.maxDelay());
        return StandardRetryStrategy.builder()
                // Else the client adds its defaults, which retry I/O errors inside the call.
                .useClientDefaults(false)
                .maxAttempts(retries.maxAttempts())
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .circuitBreakerEnabled(false)
                .retryOnException(SdkSageMakerRuntimeProxy::isRetryableAnswer)
                .treatAsThrottling(
                        e ->
                                AwsErrors.classify(e) == AwsErrorKind.THROTTLED
                                        && e instanceof AwsServiceException)
                .build();
    }

    private static boolean isRetryableAnswer(Throwable error) {
        if (!(error instanceof AwsServiceException)) {
            return false;
        }
        AwsServiceException answer = (AwsServiceException) error;
        AwsErrorKind kind = AwsErrors.classify(answer);
        return kind == AwsErrorKind.THROTTLED
                || kind == AwsErrorKind.TRANSIENT
                || answer.statusCode() == 429
                || answer.statusCode() == 530;
    }

    @Override
    public CompletableFuture<InvocationAccepted> invokeEndpointAsync(InvocationRequest request) {
        TransmissionTrace trace = new TransmissionTrace();
        InvokeEndpointAsyncRequest.Builder sdkRequest =
                InvokeEndpointAsyncRequest.builder()
                        .endpointName(request.endpointName())
                        .inferenceId(request.inferenceId())
                        .contentType(request.contentType())
                        .accept(request.accept())
                        .customAttributes(request.customAttributes())
                        .filename(request.filename())
                        .s3OutputPathExtension(request.outputPathExtension())
                        .requestTTLSeconds(request.requestTtlSeconds())
                        .invocationTimeoutSeconds(request.invocationTimeoutSeconds())
                        .overrideConfiguration(
                                o ->
                                        o.apiCallTimeout(request.timeout())
                                                .putExecutionAttribute(
                                                        TransmissionTrace.ATTRIBUTE, trace));
        if (request.body() != null) {
            // Wraps, does not copy: the SDK already allocates ~88 KB per request.
            sdkRequest.body(SdkBytes.fromByteArrayUnsafe(request.body()));
        } else {
            sdkRequest.inputLocation(request.inputLocation());
        }
        return client.invokeEndpointAsync(sdkRequest.build())
                .handle(
                        (response, error) -> {
                            if (error != null) {
                                throw translate(
                                        request.endpointName(), error, trace.outcome(error));
                            }
                            return new InvocationAccepted(
                                    response.inferenceId(),
                                    response.outputLocation(),
                                    response.failureLocation());
                        });
    }

    /**
     * A fault of the element ({@link InvocationException}) or of the whole job ({@link
     * FatalAwsException}: credentials, permissions, an endpoint that does not exist).
     */
    static RuntimeException translate(
            String endpointName, Throwable error, InvocationException.Outcome outcome) {
        Throwable cause = AwsErrors.unwrap(error);
        String operation = "InvokeEndpointAsync on endpoint '" + endpointName + "'";
        if (cause instanceof ValidationErrorException) {
            ValidationErrorException validation = (ValidationErrorException) cause;
            String message =
                    validation.awsErrorDetails() != null
                            ? validation.awsErrorDetails().errorMessage()
                            : validation.getMessage();
            if (message != null && ENDPOINT_NOT_FOUND.matcher(message).find()) {
                return FatalAwsException.of(
                        operation,
                        cause,
                        "Check sagemaker.endpoint-name and aws.region: the endpoint must exist"
                                + " there and be an asynchronous inference endpoint.");
            }
            return new InvocationException(
                    InvocationException.Kind.VALIDATION, "ValidationError: " + message, cause);
        }
        String advice = FatalAwsException.advice(AwsErrors.classify(cause));
        if (advice != null) {
            return FatalAwsException.of(operation, cause, advice);
        }
        String what =
                outcome == InvocationException.Outcome.ACCEPTED_ANSWER_UNREAD
                        ? "Accepted, answer unreadable: "
                        : outcome == InvocationException.Outcome.UNANSWERED
                                ? "Sent, no answer: "
                                : cause instanceof ApiCallTimeoutException
                                        ? "Out of time, still failing: "
                                        : "";
        return new InvocationException(
                InvocationException.Kind.FAILED, what + AwsErrors.describe(cause), cause, outcome);
    }

    @Override
    public void close() {
        client.close();
    }
}
