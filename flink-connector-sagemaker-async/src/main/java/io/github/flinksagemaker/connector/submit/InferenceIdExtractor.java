package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * Derives an element's inference ID from the element itself, so that an element replayed after a
 * failover is submitted under the same ID (and the same S3 input key) and its result is not
 * produced twice. IDs must be 1-64 printable characters not starting with white space, and unique
 * per element. Without an extractor, IDs are random UUIDs: a replay then submits again under a new
 * ID, and the first submission's result is left unmatched.
 */
@PublicEvolving
@FunctionalInterface
public interface InferenceIdExtractor<IN> extends Serializable {
    String extract(IN element) throws Exception;
}
