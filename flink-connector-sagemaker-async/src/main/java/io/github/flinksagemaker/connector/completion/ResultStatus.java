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
    MODEL_ERROR,

    /**
     * The former name of {@link #MODEL_ERROR}. A constant only so that state that stored a {@code
     * ResultStatus} by name (Flink's enum serializer in user state, Java serialization) in earlier
     * versions still restores; the connector never produces it, and stores and emits it as {@link
     * #MODEL_ERROR} ({@link #canonical()}).
     *
     * @deprecated use {@link #MODEL_ERROR}
     */
    @Deprecated
    FAILURE;

    /** This status under its current name: {@link #MODEL_ERROR} for the former {@link #FAILURE}. */
    @SuppressWarnings("deprecation")
    public ResultStatus canonical() {
        return this == FAILURE ? MODEL_ERROR : this;
    }
}
