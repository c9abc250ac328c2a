package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Turns each accepted submission into claims on its output location and, when the service returned
 * one, its failure location. A location the watch source will never list (a misconfigured output
 * path, or a service that places results differently from what the time buckets assume) would time
 * every element out silently hours later; instead the job fails at the first one, naming the
 * location and what the job watches.
 */
@Internal
public final class ClaimLocations<E>
        implements FlatMapFunction<PendingInference<E>, LocationClaim> {
    private static final long serialVersionUID = 1L;

    private final WatchConfig watch;

    public ClaimLocations(WatchConfig watch) {
        this.watch = watch;
    }

    @Override
    public void flatMap(PendingInference<E> accepted, Collector<LocationClaim> out) {
        if (accepted.outputLocation() == null) {
            // Unconfirmed, and its output location cannot be known: nothing to claim.
            return;
        }
        check(accepted, accepted.outputLocation(), "OutputLocation");
        out.collect(LocationClaim.onOutput(accepted));
        if (accepted.failureLocation() != null) {
            check(accepted, accepted.failureLocation(), "FailureLocation");
            out.collect(LocationClaim.onFailure(accepted));
        }
    }

    private void check(PendingInference<E> accepted, String location, String what) {
        if (!watch.watches(S3Location.parse(location, what))) {
            throw new FatalAwsException(
                    "The endpoint returned "
                            + what
                            + " "
                            + location
                            + " for inference '"
                            + accepted.inferenceId()
                            + "', which this job never lists: it watches "
                            + watch.describeWatched()
                            + ". Set sagemaker.output-path and"
                            + " sagemaker.failure-path to the endpoint's S3OutputPath and"
                            + " S3FailurePath, and sagemaker.watch.time-buckets to the"
                            + " S3OutputPathExtension pattern (if any).");
        }
    }
}
