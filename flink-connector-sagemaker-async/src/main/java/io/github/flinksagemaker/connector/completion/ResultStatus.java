package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.PublicEvolving;

/**
 * Which of the endpoint's paths a result object came from, named like {@code InferenceStatus}.
 * State stores the ordinal: constants are only ever appended.
 */
@PublicEvolving
public enum ResultStatus {
    /** The output path: the model's response. */
    SUCCESS,
    /** The failure path: the model container's error text. */
    MODEL_ERROR;

    /**
     * The former name of {@link #MODEL_ERROR}, the same value: code comparing with it keeps
     * working, while {@code name()} and the SQL results table's {@code status} say MODEL_ERROR.
     *
     * @deprecated use {@link #MODEL_ERROR}
     */
    @Deprecated public static final ResultStatus FAILURE = MODEL_ERROR;
}
