package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

/** Why an element was not submitted. */
@PublicEvolving
public enum RejectionReason {
    /** The request serializer or the element projection threw. */
    SERIALIZATION_FAILED,
    /** The inference ID extractor threw or gave an ID the service would refuse. */
    INVALID_INFERENCE_ID,
    /** The payload exceeds the inline limit and no S3 input prefix is configured. */
    PAYLOAD_TOO_LARGE,
    /** The service answered ValidationError (never retried). */
    VALIDATION_ERROR,
    /** The upload or the call kept failing until the retry budget or deadline ran out. */
    SUBMIT_FAILED,
    /** The submission did not finish within sagemaker.submit.timeout. */
    SUBMIT_TIMEOUT,
    /**
     * Another element of this job already uses the inference ID: the later one is rejected before
     * anything is uploaded or invoked for it, so that no element is answered with another's output.
     */
    DUPLICATE_INFERENCE_ID
}
