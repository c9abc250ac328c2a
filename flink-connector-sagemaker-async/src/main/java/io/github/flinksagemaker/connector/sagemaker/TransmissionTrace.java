package io.github.flinksagemaker.connector.sagemaker;

import io.github.flinksagemaker.connector.aws.AwsErrors;

import org.apache.flink.annotation.Internal;

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
    private volatile boolean acceptedAnswer;

    /**
     * What the call that failed with {@code error} may have done. Only answered errors are retried
     * inside the SDK call (see {@link SdkSageMakerRuntimeProxy#answeredErrorsRetryStrategy}), so
     * only its last attempt can be unanswered.
     */
    InvocationException.Outcome outcome(Throwable error) {
        if (acceptedAnswer) {
            return InvocationException.Outcome.ACCEPTED_ANSWER_UNREAD;
        }
        return sent.get() > answered.get() && !AwsErrors.certainlyNotSent(error)
                ? InvocationException.Outcome.UNANSWERED
                : InvocationException.Outcome.NOT_ACCEPTED;
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
                if (context.httpResponse().isSuccessful()) {
                    // A 2xx whose body then failed to arrive or parse: accepted all the same.
                    trace.acceptedAnswer = true;
                }
            }
        }
    }
}
