package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.PublicEvolving;

/**
 * Fails a SQL job for a row whose inference failed, when its error handling says so (FAIL,
 * FAILOVER). The message names the inference and the status; a model's error text is referred to by
 * its location, never copied.
 */
@PublicEvolving
public final class SageMakerInferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RowStatus status;

    SageMakerInferenceException(AwaitedResult result) {
        super(result.exceptionMessage());
        this.status = result.status();
    }

    public RowStatus status() {
        return status;
    }
}
