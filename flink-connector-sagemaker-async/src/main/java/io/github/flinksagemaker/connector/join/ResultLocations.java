package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;

import java.util.concurrent.CompletableFuture;

/**
 * A direct look at one inference's own result locations: its output location, then its failure
 * location, one exact-key lookup each (no prefix listing), reading what it finds within the content
 * limit. Objects older than the submission are stale and not its answer.
 *
 * <p>A failed read of an object found there is decided by {@link ResultReadFailure}, as for the
 * listing: faults that doom every read are {@link FatalAwsException}s, an object that exists but
 * cannot be read is an unreadable output, a fault that may pass fails the look for the caller to
 * retry. A failed lookup fails the look the same way, and is fatal for a permission the job lacks.
 */
@Internal
final class ResultLocations {
    private final S3ObjectStore store;
    private final WatchConfig watch;

    ResultLocations(S3ObjectStore store, WatchConfig watch) {
        this.store = store;
        this.watch = watch;
    }

    /** The inference's output or failure object, or null when neither location holds one. */
    CompletableFuture<InferenceOutput> find(PendingInference<?> pending) {
        return (pending.outputLocation() == null
                        ? CompletableFuture.<InferenceOutput>completedFuture(null)
                        : look(pending, pending.outputLocation(), ResultStatus.SUCCESS))
                .thenCompose(
                        output ->
                                output != null || pending.failureLocation() == null
                                        ? CompletableFuture.completedFuture(output)
                                        : look(
                                                pending,
                                                pending.failureLocation(),
                                                ResultStatus.MODEL_ERROR));
    }

    /** The object at {@code location}, read if within the content limit; null when absent. */
    private CompletableFuture<InferenceOutput> look(
            PendingInference<?> pending, String locationUri, ResultStatus expected) {
        S3Location location = S3Location.parse(locationUri, "Returned result location");
        return store.findObject(location)
                .handle(
                        (summary, error) -> {
                            if (error != null) {
                                throw failure(pending, location, error);
                            }
                            return summary;
                        })
                .thenCompose(
                        summary -> {
                            if (summary == null
                                    || summary.lastModifiedMillis()
                                            < pending.submitTimeMillis()
                                                    - InferenceResultJoin.STALE_TOLERANCE_MILLIS) {
                                return CompletableFuture.completedFuture(null);
                            }
                            if (summary.size() > watch.maxContentBytes()) {
                                return CompletableFuture.completedFuture(
                                        output(locationUri, expected, summary, null, null));
                            }
                            return read(pending, location, locationUri, expected, summary);
                        });
    }

    private CompletableFuture<InferenceOutput> read(
            PendingInference<?> pending,
            S3Location location,
            String locationUri,
            ResultStatus expected,
            S3ObjectSummary summary) {
        return store.getObject(location)
                .handle(
                        (content, error) -> {
                            if (error == null) {
                                return content == null
                                        ? null // deleted since it was found
                                        : output(
                                                locationUri,
                                                expected,
                                                summary,
                                                content.bytes(),
                                                content.contentType());
                            }
                            return onReadError(
                                    pending, location, locationUri, expected, summary, error);
                        });
    }

    /**
     * What a failed GET of an object the lookup found means ({@link ResultReadFailure}, for a seen
     * object of the job's own paths): nothing, an unreadable output, a fatal fault, or the error
     * for the caller to retry.
     */
    private static InferenceOutput onReadError(
            PendingInference<?> pending,
            S3Location location,
            String locationUri,
            ResultStatus expected,
            S3ObjectSummary summary,
            Throwable error) {
        switch (ResultReadFailure.of(error, ResultLocationOrigin.CONFIGURED_SEEN)) {
            case ABSENT:
                return null; // deleted since it was found
            case UNREADABLE:
                return InferenceOutput.unreadable(
                        locationUri,
                        expected,
                        summary.lastModifiedMillis(),
                        summary.size(),
                        summary.etag(),
                        AwsErrors.describe(error));
            case FATAL:
                throw fatal(pending, location, error, AwsErrors.classify(error));
            case RETRY:
            default:
                throw rethrown(error);
        }
    }

    private static InferenceOutput output(
            String location,
            ResultStatus status,
            S3ObjectSummary summary,
            byte[] content,
            String contentType) {
        return new InferenceOutput(
                location,
                status,
                content,
                contentType,
                summary.lastModifiedMillis(),
                summary.size(),
                summary.etag());
    }

    /**
     * What a failed exact-key lookup means. The lookup is a LIST of the job's own path, not a read
     * of a result object, so {@link ResultReadFailure} does not decide it: any fault with advice
     * (credentials, a permission the job lacks, a missing bucket, another region) dooms every look,
     * anything else is for the caller to retry.
     */
    private static RuntimeException failure(
            PendingInference<?> pending, S3Location location, Throwable error) {
        AwsErrorKind kind = AwsErrors.classify(error);
        if (FatalAwsException.advice(kind) != null) {
            return fatal(pending, location, error, kind);
        }
        return rethrown(error);
    }

    private static FatalAwsException fatal(
            PendingInference<?> pending, S3Location location, Throwable error, AwsErrorKind kind) {
        return FatalAwsException.of(
                "Looking for the result of inference '"
                        + pending.inferenceId()
                        + "' at "
                        + location,
                error,
                FatalAwsException.advice(kind));
    }

    private static RuntimeException rethrown(Throwable error) {
        Throwable cause = AwsErrors.unwrap(error);
        return cause instanceof RuntimeException
                ? (RuntimeException) cause
                : new RuntimeException(cause);
    }
}
