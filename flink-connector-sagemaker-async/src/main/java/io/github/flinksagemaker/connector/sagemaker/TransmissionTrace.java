package io.github.flinksagemaker.connector.sagemaker;

import io.github.flinksagemaker.connector.aws.AwsErrors;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether one SDK call's request may have reached the service without an answer: the attempts
 * handed to the HTTP client against those the service answered. A call whose last attempt went out
 * and got no answer (a read timeout, a reset connection, the call's own time limit) may have been
 * accepted: its outcome is unknown, not a failure.
 */
@Internal
final class TransmissionTrace {
    static final ExecutionAttribute<TransmissionTrace> ATTRIBUTE =
            new ExecutionAttribute<>("FlinkSageMakerAsyncTransmissionTrace");

    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();

    /**
     * Whether the call that failed with {@code error} may have been accepted. Only answered errors
     * are retried inside the SDK call (see {@link SdkSageMakerRuntimeProxy#retryStrategy}), so only
     * its last attempt can be unanswered.
     */
    boolean mayHaveBeenAccepted(Throwable error) {
        return !(AwsErrors.unwrap(error) instanceof AwsServiceException)
                && sent.get() > answered.get()
                && !AwsErrors.certainlyNotSent(error);
    }

    /** Counts the attempts of calls that carry a trace. */
    static final class Interceptor implements ExecutionInterceptor {
        @Override
        public void beforeTransmission(
                Context.BeforeTransmission context, ExecutionAttributes attributes) {
            TransmissionTrace trace = attributes.getAttribute(ATTRIBUTE);
            if (trace != null) {
                trace.sent.incrementAndGet();
            }
        }

        @Override
        public void afterTransmission(
                Context.AfterTransmission context, ExecutionAttributes attributes) {
            TransmissionTrace trace = attributes.getAttribute(ATTRIBUTE);
            if (trace != null) {
                trace.answered.incrementAndGet();
            }
        }
    }
}
