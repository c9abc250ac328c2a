package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.PublicEvolving;

/** Which of the endpoint's prefixes a result object came from. */
@PublicEvolving
public enum ResultStatus {
    /** The output prefix: the model's response. */
    SUCCESS,
    /** The failure prefix: the model container's error text. */
    FAILURE
}
