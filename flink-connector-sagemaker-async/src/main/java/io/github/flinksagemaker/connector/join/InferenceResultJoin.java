package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.s3.CheckpointedDeleter;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceTypeInfo;
import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.InferenceOutputTypeInfo;
import io.github.flinksagemaker.connector.watch.ResultStatus;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Second step of the re-join, keyed by inference ID: decides the single result of each accepted
 * submission from its pending record and its tagged result object, whichever arrives first, or a
 * processing-time timer at its deadline. After a result the ID is remembered for the duplicate
 * retention, so replayed submissions, second outputs and late outputs are dropped and counted,
 * never emitted twice; then every piece of state for the ID is cleared.
 */
@Internal
public final class InferenceResultJoin<E>
        extends KeyedCoProcessFunction<
                String, PendingInference<E>, Tuple2<String, InferenceOutput>, InferenceResult<E>>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;

    /** Creates the store that deletes consumed objects, when cleanup is on. */
    @FunctionalInterface
    public interface CleanupStoreFactory extends Serializable {
        S3ObjectStore create();
    }

    private final TypeInformation<E> elementType;
    private final long unmatchedRetentionMillis;
    private final long duplicateRetentionMillis;
    private final CleanupStoreFactory cleanup;

    private transient ValueState<PendingInference<E>> pending;
    private transient ValueState<InferenceOutput> early;
    private transient ValueState<Long> earlyExpiry;
    private transient ValueState<Long> doneUntil;
    private transient ListState<Long> pendingCountState;
    private transient long pendingCount;
    private transient JoinMetrics metrics;
    private transient CheckpointedDeleter cleanupDeleter;

    /**
     * @param cleanup deletes inputs and result objects after their result is checkpointed; null
     *     keeps them
     */
    public InferenceResultJoin(
            TypeInformation<E> elementType,
            long unmatchedRetentionMillis,
            long duplicateRetentionMillis,
            CleanupStoreFactory cleanup) {
        this.elementType = elementType;
        this.unmatchedRetentionMillis = unmatchedRetentionMillis;
        this.duplicateRetentionMillis = duplicateRetentionMillis;
        this.cleanup = cleanup;
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "pending", new PendingInferenceTypeInfo<>(elementType)));
        early =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "early-output", new InferenceOutputTypeInfo()));
        earlyExpiry =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("early-output-expiry", Types.LONG));
        doneUntil =
                getRuntimeContext().getState(new ValueStateDescriptor<>("done-until", Types.LONG));
        metrics = new JoinMetrics(getRuntimeContext().getMetricGroup(), () -> pendingCount);
        cleanupDeleter =
                cleanup != null ? new CheckpointedDeleter(cleanup.create(), count -> {}) : null;
    }

    @Override
    public void processElement1(
            PendingInference<E> submitted, Context context, Collector<InferenceResult<E>> out)
            throws Exception {
        if (doneUntil.value() != null || pending.value() != null) {
            metrics.duplicatesDropped.inc();
            return;
        }
        InferenceOutput arrived = early.value();
        if (arrived != null) {
            early.clear();
            earlyExpiry.clear();
            emit(fromObject(submitted, arrived, now(context)), submitted, context, out);
            return;
        }
        pending.update(submitted);
        pendingCount++;
        context.timerService().registerProcessingTimeTimer(submitted.deadlineMillis());
    }

    @Override
    public void processElement2(
            Tuple2<String, InferenceOutput> tagged,
            Context context,
            Collector<InferenceResult<E>> out)
            throws Exception {
        if (doneUntil.value() != null || early.value() != null) {
            metrics.duplicatesDropped.inc();
            return;
        }
        PendingInference<E> submitted = pending.value();
        if (submitted != null) {
            pending.clear();
            pendingCount--;
            emit(fromObject(submitted, tagged.f1, now(context)), submitted, context, out);
            return;
        }
        long expiry = context.timerService().currentProcessingTime() + unmatchedRetentionMillis;
        early.update(tagged.f1);
        earlyExpiry.update(expiry);
        context.timerService().registerProcessingTimeTimer(expiry);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<InferenceResult<E>> out)
            throws Exception {
        PendingInference<E> submitted = pending.value();
        if (submitted != null && timestamp >= submitted.deadlineMillis()) {
            pending.clear();
            pendingCount--;
            emit(timedOut(submitted, timestamp), submitted, context, out);
            return;
        }
        Long done = doneUntil.value();
        if (done != null && timestamp >= done) {
            doneUntil.clear();
        }
        Long expiry = earlyExpiry.value();
        if (expiry != null && timestamp >= expiry) {
            early.clear();
            earlyExpiry.clear();
            metrics.unmatchedOutputsDropped.inc();
        }
    }

    private void emit(
            InferenceResult<E> result,
            PendingInference<E> submitted,
            Context context,
            Collector<InferenceResult<E>> out)
            throws Exception {
        out.collect(result);
        long until = context.timerService().currentProcessingTime() + duplicateRetentionMillis;
        doneUntil.update(until);
        context.timerService().registerProcessingTimeTimer(until);
        if (cleanupDeleter != null) {
            if (submitted.inputLocation() != null) {
                cleanupDeleter.add(S3Location.parse(submitted.inputLocation(), "input location"));
            }
            if (result.resultLocation() != null) {
                cleanupDeleter.add(S3Location.parse(result.resultLocation(), "result location"));
            }
        }
    }

    private long now(Context context) {
        return context.timerService().currentProcessingTime();
    }

    /**
     * Completed is when the result is decided here, not the object's last-modified time: S3 reports
     * that to the second, and users wait for the decision anyway.
     */
    private static <E> InferenceResult<E> fromObject(
            PendingInference<E> submitted, InferenceOutput object, long decidedMillis) {
        boolean success = object.status() == ResultStatus.SUCCESS;
        String error = null;
        if (!success) {
            error =
                    object.isContentIncluded()
                            ? new String(object.content(), StandardCharsets.UTF_8)
                            : "Failure object of "
                                    + object.size()
                                    + " bytes at "
                                    + object.location()
                                    + " was not read (over the content limit)";
        }
        return new InferenceResult<>(
                success ? InferenceStatus.SUCCESS : InferenceStatus.MODEL_ERROR,
                submitted.inferenceId(),
                submitted.element(),
                submitted.path(),
                success ? object.content() : null,
                success ? object.contentType() : null,
                object.location(),
                error,
                submitted.submitTimeMillis(),
                Math.max(decidedMillis, submitted.submitTimeMillis()));
    }

    private static <E> InferenceResult<E> timedOut(PendingInference<E> submitted, long now) {
        return new InferenceResult<>(
                InferenceStatus.TIMED_OUT,
                submitted.inferenceId(),
                submitted.element(),
                submitted.path(),
                null,
                null,
                null,
                "No output or failure object arrived by the deadline "
                        + Instant.ofEpochMilli(submitted.deadlineMillis()),
                submitted.submitTimeMillis(),
                now);
    }

    /** Keeps the pending count across restarts; the sum over subtasks is exact. */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingCountState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("pending-count", Types.LONG));
        pendingCount = 0;
        for (Long count : pendingCountState.get()) {
            pendingCount += count;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingCountState.update(List.of(pendingCount));
        if (cleanupDeleter != null) {
            cleanupDeleter.snapshot(context.getCheckpointId());
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (cleanupDeleter != null) {
            cleanupDeleter.checkpointComplete(checkpointId);
        }
    }

    @Override
    public void close() {
        if (cleanupDeleter != null) {
            cleanupDeleter.close();
        }
    }
}
