package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.PublicEvolving;

/** How an element's inference ended. Every element gets exactly one result. */
@PublicEvolving
public enum InferenceStatus {
    /** The model's output object arrived. */
    SUCCESS,
    /** A failure object arrived: the model container answered with an error. */
    MODEL_ERROR,
    /** The element was never submitted: serialization, validation or submission failed. */
    REJECTED,
    /** Neither output nor failure arrived by the deadline, nor was there when looked at. */
    TIMED_OUT,
    /**
     * The result object exists at {@link InferenceResult#resultLocation()} but could not be read
     * (access denied by a bucket policy or KMS key, an archived object): the error says why.
     */
    UNREADABLE
}
