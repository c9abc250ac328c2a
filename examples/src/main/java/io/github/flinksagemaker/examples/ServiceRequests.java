package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.local.LocalCounters;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.Rejection;

/** What the job asked of each service, as the embedded endpoint counted it. */
public record ServiceRequests(long sageMaker, long s3, long sqs) {

    /** InvokeEndpointAsync calls (accepted or rejected), S3 requests, SQS requests. */
    public static ServiceRequests of(LocalCounters counters) {
        long invocations = 0;
        for (InvocationKind kind : InvocationKind.values()) {
            invocations += counters.invocations(kind);
        }
        for (Rejection rejection : Rejection.values()) {
            invocations += counters.rejections(rejection);
        }
        return new ServiceRequests(
                invocations, counters.s3RequestsTotal(), counters.sqsRequestsTotal());
    }
}
