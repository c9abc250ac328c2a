package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.ResultStatus;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The last look before TIMED_OUT: for an inference whose deadline passed without a result, looks at
 * its own output location, then its failure location (one exact-key lookup each, no prefix
 * listing), and reads what it finds. An object there is its result, so an answer that a listing
 * missed, or that arrived while the job was down for longer than the deadline, is never lost.
 *
 * <p>Errors follow the failure policy: wrong credentials or a permission the job lacks fail the job
 * ({@link FatalAwsException}); an object that exists but cannot be read is an UNREADABLE result;
 * anything else is retried by the operator's retry strategy.
 */
@Internal
public final class ResultLocationCheck<E>
        extends RichAsyncFunction<PendingInference<E>, InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final WatchConfig watch;
    private final WatchClientFactory clientFactory;

    private transient S3ObjectStore store;
    private transient Counter checks;
    private transient Counter foundAtDeadline;

    public ResultLocationCheck(WatchConfig watch, WatchClientFactory clientFactory) {
        this.watch = watch;
        this.clientFactory = clientFactory;
    }

    @Override
    public void open(OpenContext openContext) {
        store = clientFactory.s3(watch);
        var group = getRuntimeContext().getMetricGroup().addGroup("sagemakerAsync");
        checks = group.counter("deadlineChecks");
        // Counted when a look completes, on the SDK's threads, many at once.
        foundAtDeadline = group.counter("resultsFoundAtDeadline", new ThreadSafeSimpleCounter());
    }

    @Override
    public void asyncInvoke(PendingInference<E> pending, ResultFuture<InferenceResult<E>> result) {
        checks.inc();
        (pending.outputLocation() == null
                        ? CompletableFuture.<InferenceOutput>completedFuture(null)
                        : look(pending, pending.outputLocation(), ResultStatus.SUCCESS))
                .thenCompose(
                        output ->
                                output != null || pending.failureLocation() == null
                                        ? CompletableFuture.completedFuture(output)
                                        : look(
                                                pending,
                                                pending.failureLocation(),
                                                ResultStatus.FAILURE))
                .whenComplete(
                        (found, error) -> {
                            try {
                                if (error != null) {
                                    result.completeExceptionally(AwsErrors.unwrap(error));
                                    return;
                                }
                                result.complete(List.of(resultOf(pending, found)));
                            } catch (Throwable t) {
                                result.completeExceptionally(t);
                            }
                        });
    }

    private InferenceResult<E> resultOf(PendingInference<E> pending, InferenceOutput found) {
        long now = System.currentTimeMillis();
        if (found == null && pending.outputLocation() == null) {
            return InferenceResult.timedOut(
                    pending,
                    "No result by the deadline "
                            + Instant.ofEpochMilli(pending.deadlineMillis())
                            + ": the request went out but no answer came back, so its result"
                            + " locations are unknown and no notification named it",
                    now);
        }
        if (found == null) {
            return InferenceResult.timedOut(
                    pending,
                    "No result by the deadline "
                            + Instant.ofEpochMilli(pending.deadlineMillis())
                            + ": nothing at "
                            + pending.outputLocation()
                            + (pending.failureLocation() != null
                                    ? " nor at " + pending.failureLocation()
                                    : ""),
                    now);
        }
        foundAtDeadline.inc();
        return InferenceResultJoin.resultOf(pending, found, now);
    }

    /** The object at {@code location}, read if within the content limit; null when absent. */
    private CompletableFuture<InferenceOutput> look(
            PendingInference<E> pending, String locationUri, ResultStatus expected) {
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
            PendingInference<E> pending,
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
                            AwsErrorKind kind = AwsErrors.classify(error);
                            if (kind == AwsErrorKind.ACCESS_DENIED
                                    || kind == AwsErrorKind.OBJECT_STATE) {
                                return InferenceOutput.unreadable(
                                        locationUri,
                                        expected,
                                        summary.lastModifiedMillis(),
                                        summary.size(),
                                        summary.etag(),
                                        AwsErrors.describe(error));
                            }
                            throw failure(pending, location, error);
                        });
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

    /** A fatal error for faults that doom every element, else the error itself to retry. */
    private RuntimeException failure(
            PendingInference<E> pending, S3Location location, Throwable error) {
        String advice = FatalAwsException.advice(AwsErrors.classify(error));
        if (advice != null) {
            return FatalAwsException.of(
                    "Looking for the result of inference '"
                            + pending.inferenceId()
                            + "' at "
                            + location,
                    error,
                    advice);
        }
        Throwable cause = AwsErrors.unwrap(error);
        return cause instanceof RuntimeException
                ? (RuntimeException) cause
                : new RuntimeException(cause);
    }

    @Override
    public void timeout(PendingInference<E> pending, ResultFuture<InferenceResult<E>> result) {
        result.completeExceptionally(
                new java.util.concurrent.TimeoutException(
                        "Looking for the result of inference '"
                                + pending.inferenceId()
                                + "' at its locations did not finish in time; S3 kept failing"));
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
