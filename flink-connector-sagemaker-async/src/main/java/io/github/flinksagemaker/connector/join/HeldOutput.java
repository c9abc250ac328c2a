package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;

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

    /**
     * Whether {@code arriving} takes this one's place: only a fresher object (by last-modified
     * time) does, as a copy left by an earlier use of the ID may come before or after the answer
     * and only the fresher one can answer. On a tie the held one stays, so a second copy of it does
     * not extend its retention.
     */
    public boolean isReplacedBy(InferenceOutput arriving) {
        return arriving.lastModifiedMillis() > output.lastModifiedMillis();
    }
}
