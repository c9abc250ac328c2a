package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.ResultStatus;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/**
 * Who claims a result location: the inference the service gave it to, which kind of result is
 * expected there (the OutputLocation holds a SUCCESS, the FailureLocation a MODEL_ERROR, whatever
 * the prefix), and the inference's deadline, after which the claim is forgotten.
 */
@Internal
public record Claimant(String inferenceId, ResultStatus expected, long deadlineMillis) {
    public Claimant {
        Objects.requireNonNull(inferenceId, "inferenceId");
        expected = Objects.requireNonNull(expected, "expected").canonical();
    }
}
