package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.table.SageMakerModelOptions.ErrorHandlingStrategy;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated {@code sagemaker-async} model: its connector options, how rows become payloads and
 * outputs become rows, and what a failed inference does.
 */
@Internal
record ModelSpec(
        Map<String, String> options,
        PayloadEncoder encoder,
        OutputDecoder decoder,
        ErrorHandlingStrategy strategy,
        int retries,
        ErrorHandlingStrategy fallback)
        implements Serializable {

    ModelSpec {
        options = new TreeMap<>(options);
    }

    /** Resubmissions a failed row gets: {@code retries} under RETRY, none otherwise. */
    int attempts() {
        return strategy == ErrorHandlingStrategy.RETRY ? retries : 0;
    }

    /** What a row that still failed does: the fallback under RETRY, else the strategy. */
    ErrorHandlingStrategy finalHandling() {
        return strategy == ErrorHandlingStrategy.RETRY ? fallback : strategy;
    }
}
