package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.Internal;

/** Where a result location that a reader GETs came from: see {@link ResultReadFailure}. */
@Internal
public enum ResultLocationOrigin {
    /**
     * The job's own output or failure path, and the object was seen there (listed, or found by an
     * exact-key lookup): the listing and the look at the deadline.
     */
    CONFIGURED_SEEN,
    /**
     * The job's own output or failure path, not yet seen: the location SageMaker named for a
     * request, read before anything says an object is there (the SQL functions' polling).
     */
    CONFIGURED_UNSEEN,
    /** A completion notification named it: one message, which may name any bucket. */
    NOTIFIED
}
