package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions.ErrorHandlingStrategy;
import io.github.flinksagemaker.connector.config.ModelOptions.RetryFallbackStrategy;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A validated {@code sagemaker-async} model: its connector options, how rows become payloads and
 * outputs become rows, and what a failed row does. The connector configuration is made per use, as
 * it depends on the planner's timeout for that ML_PREDICT call.
 */
@Internal
record ModelSpec(
        TreeMap<String, String> options,
        PayloadEncoder encoder,
        OutputDecoder decoder,
        ErrorHandlingStrategy strategy,
        int retries,
        RetryFallbackStrategy fallback)
        implements Serializable {

    ModelSpec(
            Map<String, String> options,
            PayloadEncoder encoder,
            OutputDecoder decoder,
            ErrorHandlingStrategy strategy,
            int retries,
            RetryFallbackStrategy fallback) {
        this(new TreeMap<>(options), encoder, decoder, strategy, retries, fallback);
    }

    /** The configuration of a use whose planner timeout is {@code plannerTimeout}. */
    SqlInvokeConfig config(Duration plannerTimeout, String plannerTimeoutSource) {
        return SqlInvokeConfig.of(options, plannerTimeout, plannerTimeoutSource, true);
    }

    /** Resubmissions a row that ended MODEL_ERROR gets: {@code retries} under RETRY, else none. */
    int resubmissions() {
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
