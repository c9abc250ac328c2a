package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/**
 * A result object with the inference ID it belongs to, and the status its claim expects: what the
 * join consumes, keyed by the ID.
 */
@Internal
public record TaggedOutput(String inferenceId, InferenceOutput output) {
    public TaggedOutput {
        Objects.requireNonNull(inferenceId, "inferenceId");
        Objects.requireNonNull(output, "output");
    }
}
