package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.submit.PendingInference;
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

/**
 * The last look before TIMED_OUT: for an inference whose deadline passed without a result, looks at
 * its own locations ({@link ResultLocations}). An object there is its result, so an answer that a
 * listing missed, or that arrived while the job was down for longer than the deadline, is never
 * lost.
 *
 * <p>Errors are decided by {@link ResultLocations}: faults that doom every look fail the job
 * ({@link io.github.flinksagemaker.connector.aws.FatalAwsException}); an object that exists but
 * cannot be read is an UNREADABLE result ({@link
 * io.github.flinksagemaker.connector.completion.ResultReadFailure}); a fault that may pass is
 * retried by the operator's retry strategy.
 */
@Internal
public final class ResultLocationCheck<E>
        extends RichAsyncFunction<PendingInference<E>, InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final WatchConfig watch;
    private final WatchClientFactory clientFactory;

    private transient S3ObjectStore store;
    private transient ResultLocations locations;
    private transient Counter checks;
    private transient Counter foundAtDeadline;

    public ResultLocationCheck(WatchConfig watch, WatchClientFactory clientFactory) {
        this.watch = watch;
        this.clientFactory = clientFactory;
    }

    @Override
    public void open(OpenContext openContext) {
        store = clientFactory.s3(watch);
        locations = new ResultLocations(store, watch);
        var group = ConnectorMetricGroup.in(getRuntimeContext().getMetricGroup());
        checks = group.counter("deadlineChecks");
        // Counted when a look completes, on the SDK's threads, many at once.
        foundAtDeadline = group.counter("resultsFoundAtDeadline", new ThreadSafeSimpleCounter());
    }

    @Override
    public void asyncInvoke(PendingInference<E> pending, ResultFuture<InferenceResult<E>> result) {
        checks.inc();
        locations
                .find(pending)
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
