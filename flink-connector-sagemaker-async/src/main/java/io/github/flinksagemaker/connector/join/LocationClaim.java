package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.submit.PendingInference;

import org.apache.flink.annotation.Internal;

import java.util.Objects;

/** A claim on one result location, keyed by that location in the {@link LocationTagger}. */
@Internal
public record LocationClaim(String location, Claimant claimant) {
    public LocationClaim {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(claimant, "claimant");
    }

    /** The claim of an accepted submission on its output location. */
    public static LocationClaim onOutput(PendingInference<?> pending) {
        return new LocationClaim(
                pending.outputLocation(),
                new Claimant(
                        pending.inferenceId(), ResultStatus.SUCCESS, pending.deadlineMillis()));
    }

    /** The claim on its failure location; only when the service returned one. */
    public static LocationClaim onFailure(PendingInference<?> pending) {
        return new LocationClaim(
                pending.failureLocation(),
                new Claimant(
                        pending.inferenceId(), ResultStatus.MODEL_ERROR, pending.deadlineMillis()));
    }
}
