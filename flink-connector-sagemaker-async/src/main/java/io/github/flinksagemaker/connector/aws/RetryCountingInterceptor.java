package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Reports retries and throttled attempts as the SDK makes them: the SDK's retry strategy does the
 * retrying, this only observes each attempt on the wire. A 503 counts as throttled: S3 answers
 * SlowDown with it, SageMaker an overloaded service, and both call for fewer calls in flight.
 */
@Internal
public final class RetryCountingInterceptor implements ExecutionInterceptor {
    private static final ExecutionAttribute<Integer> ATTEMPTS =
            new ExecutionAttribute<>("FlinkSageMakerAsyncAttempts");

    private final RetryListener listener;

    public RetryCountingInterceptor(RetryListener listener) {
        this.listener = listener;
    }

    @Override
    public void beforeTransmission(
            Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Integer attempts = attributes.getAttribute(ATTEMPTS);
        if (attempts != null) {
            listener.onRetry();
        }
        attributes.putAttribute(ATTEMPTS, attempts == null ? 1 : attempts + 1);
    }

    @Override
    public void afterTransmission(
            Context.AfterTransmission context, ExecutionAttributes attributes) {
        int status = context.httpResponse().statusCode();
        boolean throttlingType =
                context.httpResponse()
                        .firstMatchingHeader("x-amzn-ErrorType")
                        .map(type -> type.startsWith("Throttling"))
                        .orElse(false);
        if (status == 429 || status == 503 || throttlingType) {
            listener.onThrottled();
        }
    }
}
