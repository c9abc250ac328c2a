package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.watch.InferenceOutput;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/**
 * A result object kept in state until its claim (tagger) or its pending record (join) arrives, and
 * when it is given up: one state per key, so the key is stored once.
 */
@Internal
public record HeldOutput(InferenceOutput output, long expiresAtMillis) {
    public HeldOutput {
        Objects.requireNonNull(output, "output");
    }
}
