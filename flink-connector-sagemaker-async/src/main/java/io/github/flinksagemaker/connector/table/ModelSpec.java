package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions.ErrorHandlingStrategy;
import io.github.flinksagemaker.connector.config.ModelOptions.RetryFallbackStrategy;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;

/**
 * A validated {@code sagemaker-async} model: its connector configuration, how rows become payloads
 * and outputs become rows, and what a failed inference does.
 */
@Internal
record ModelSpec(
        SqlInvokeConfig config,
        PayloadEncoder encoder,
        OutputDecoder decoder,
        ErrorHandlingStrategy strategy,
        int retries,
        RetryFallbackStrategy fallback)
        implements Serializable {

    /** Resubmissions a failed row gets: {@code retries} under RETRY, none otherwise. */
    int attempts() {
        return strategy == ErrorHandlingStrategy.RETRY ? retries : 0;
    }

    /**
     * Whether a row that still failed fails the job: the fallback under RETRY, else the strategy.
     */
    boolean failsOver() {
        return strategy == ErrorHandlingStrategy.RETRY
                ? fallback == RetryFallbackStrategy.FAILOVER
                : strategy == ErrorHandlingStrategy.FAILOVER;
    }
}
