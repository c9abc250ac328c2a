package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

/** How a payload reached the endpoint. */
@PublicEvolving
public enum SubmitPath {
    /** In the request body. */
    INLINE,
    /** Uploaded to the S3 input prefix and passed as InputLocation. */
    S3
}
