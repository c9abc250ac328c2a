package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.PublicEvolving;

/**
 * How the inference of one SQL row ended: the value of {@code ML_PREDICT}'s {@code error-status}
 * column, of {@code SAGEMAKER_ERROR <status>} strings, and of {@link
 * SageMakerInferenceException#status()}.
 */
@PublicEvolving
public enum RowStatus {
    /** The model's output, within the row's time and size limit. */
    SUCCESS,
    /** The model failed: a failure object was written for the inference. */
    MODEL_ERROR,
    /** Never accepted: empty or invalid payload, service validation error, submission gave up. */
    REJECTED,
    /** Accepted, but neither an output nor a failure object came within the row's time. */
    TIMED_OUT,
    /** The result object exists but S3 refused to read it (permissions, KMS, archived). */
    UNREADABLE,
    /** The output is over the size limit or does not fit the OUTPUT columns. */
    INVALID_OUTPUT
}
