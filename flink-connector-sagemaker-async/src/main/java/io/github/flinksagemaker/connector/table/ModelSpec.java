package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions.ErrorHandlingStrategy;
import io.github.flinksagemaker.connector.config.ModelOptions.RetryFallbackStrategy;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.utils.ProjectedRowData;

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
        RetryFallbackStrategy fallback,
        int inferenceIdColumn,
        int inputColumns)
        implements Serializable {

    /** {@code inferenceIdColumn} is the INPUT column holding the row's inference ID, or -1. */
    ModelSpec(
            Map<String, String> options,
            PayloadEncoder encoder,
            OutputDecoder decoder,
            ErrorHandlingStrategy strategy,
            int retries,
            RetryFallbackStrategy fallback,
            int inferenceIdColumn,
            int inputColumns) {
        this(
                new TreeMap<>(options),
                encoder,
                decoder,
                strategy,
                retries,
                fallback,
                inferenceIdColumn,
                inputColumns);
    }

    boolean hasInferenceIdColumn() {
        return inferenceIdColumn >= 0;
    }

    /**
     * The INPUT row without its inference ID column, which is sent as the InferenceId, not in the
     * payload; null when the model has no such column.
     */
    ProjectedRowData payloadColumns() {
        if (!hasInferenceIdColumn()) {
            return null;
        }
        int[] payload = new int[inputColumns - 1];
        for (int i = 0, j = 0; i < inputColumns; i++) {
            if (i != inferenceIdColumn) {
                payload[j++] = i;
            }
        }
        return ProjectedRowData.from(payload);
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
