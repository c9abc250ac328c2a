package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.join.InferenceStatus;

import org.apache.flink.annotation.PublicEvolving;

/** Fails a SQL job for a row whose inference failed, when the error handling says FAIL. */
@PublicEvolving
public final class SageMakerInferenceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final InferenceStatus status;

    SageMakerInferenceException(AwaitedResult result) {
        super(
                "Inference "
                        + result.inferenceId()
                        + " ended "
                        + result.status()
                        + ": "
                        + result.message());
        this.status = result.status();
    }

    public InferenceStatus status() {
        return status;
    }
}
