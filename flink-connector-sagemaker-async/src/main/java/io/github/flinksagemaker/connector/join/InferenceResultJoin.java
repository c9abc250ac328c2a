package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceTypeInfo;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.ResultStatus;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.List;

/**
 * Second step of the re-join, keyed by inference ID: decides the single result of each accepted
 * submission from its pending record and its tagged result object (from the {@link LocationTagger}
 * when completions are listed, or straight from a notification), whichever arrives first. At the
 * deadline it decides nothing itself: the pending record goes to the {@link #deadlineReached} side
 * output, where {@link ResultLocationCheck} looks at the inference's own locations before declaring
 * it TIMED_OUT, so an answer that a listing missed, or that arrived while the job was down, is
 * still found. After either, the ID is remembered for the duplicate retention so that second or
 * late objects are dropped and counted, never emitted twice.
 *
 * <p>A second pending record for an ID that is pending or remembered gets a REJECTED result ({@link
 * RejectionReason#DUPLICATE_INFERENCE_ID}), never silence. Under exactly-once checkpointing a
 * replayed submission never reaches the join twice (the restored state predates it), so this is a
 * second element with the ID that the ID guard let through, or an at-least-once redelivery.
 *
 * <p>An object last modified well before its submission is stale (left by an earlier use of the
 * same ID at the same location) and never answers it. Of the objects that come before their pending
 * record, only the freshest is held: a stale copy cannot hide the answer.
 */
@Internal
public final class InferenceResultJoin<E>
        extends KeyedCoProcessFunction<
                String, PendingInference<E>, TaggedOutput, InferenceResult<E>>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    static final String PENDING_STATE = "pending";
    static final String EARLY_STATE = "early-output";
    static final String DONE_STATE = "done-until";

    /**
     * How much older than its submission a result object may look and still answer it: S3 reports
     * last-modified to the second, and the clocks of S3 and the TaskManagers differ a little.
     */
    static final long STALE_TOLERANCE_MILLIS = 60_000L;

    private final TypeInformation<E> elementType;
    private final JoinConfig config;
    private final OutputTag<PendingInference<E>> deadlineReached;

    private transient ValueState<PendingInference<E>> pending;
    private transient ValueState<HeldOutput> early;
    private transient ValueState<Long> doneUntil;
    private transient ListState<Long> pendingCountState;
    private transient long pendingCount;
    private transient JoinMetrics metrics;

    /**
     * @param deadlineReached where pending records go when their deadline passes without a result
     */
    public InferenceResultJoin(
            TypeInformation<E> elementType,
            JoinConfig config,
            OutputTag<PendingInference<E>> deadlineReached) {
        this.elementType = elementType;
        this.config = config;
        this.deadlineReached = deadlineReached;
    }

    /** The side output of pending records whose deadline passed without a result. */
    public static <E> OutputTag<PendingInference<E>> deadlineTag(TypeInformation<E> elementType) {
        return new OutputTag<>("deadline-reached", new PendingInferenceTypeInfo<>(elementType));
    }

    @Override
    public void open(OpenContext openContext) {
        pending =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        PENDING_STATE,
                                        new PendingInferenceTypeInfo<>(elementType)));
        early =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>(EARLY_STATE, JoinTypes.HELD_OUTPUT));
        doneUntil =
                getRuntimeContext().getState(new ValueStateDescriptor<>(DONE_STATE, Types.LONG));
        metrics = new JoinMetrics(getRuntimeContext().getMetricGroup(), () -> pendingCount);
    }

    @Override
    public void processElement1(
            PendingInference<E> submitted, Context context, Collector<InferenceResult<E>> out)
            throws Exception {
        if (doneUntil.value() != null || pending.value() != null) {
            metrics.duplicateIdsRejected.inc();
            out.collect(duplicate(submitted, now(context)));
            return;
        }
        HeldOutput held = early.value();
        if (held != null) {
            early.clear();
            context.timerService().deleteProcessingTimeTimer(held.expiresAtMillis());
            if (!isStale(submitted, held.output())) {
                decide(submitted, held.output(), context, out);
                return;
            }
            metrics.staleOutputsDropped.inc();
        }
        pending.update(submitted);
        pendingCount++;
        context.timerService().registerProcessingTimeTimer(submitted.deadlineMillis());
    }

    @Override
    public void processElement2(
            TaggedOutput tagged, Context context, Collector<InferenceResult<E>> out)
            throws Exception {
        if (doneUntil.value() != null) {
            metrics.lateOutputsDropped.inc();
            return;
        }
        PendingInference<E> submitted = pending.value();
        if (submitted != null) {
            if (isStale(submitted, tagged.output())) {
                metrics.staleOutputsDropped.inc();
                return;
            }
            pending.clear();
            pendingCount--;
            context.timerService().deleteProcessingTimeTimer(submitted.deadlineMillis());
            decide(submitted, tagged.output(), context, out);
            return;
        }
        HeldOutput held = early.value();
        if (held != null) {
            // Two objects before the pending record, which alone can tell a stale one: keep the
            // fresher, which answers if either does, and wait for it for its own retention.
            metrics.lateOutputsDropped.inc();
            if (!held.isReplacedBy(tagged.output())) {
                return;
            }
            context.timerService().deleteProcessingTimeTimer(held.expiresAtMillis());
        }
        long expiry = now(context) + config.unmatchedOutputRetentionMillis();
        early.update(new HeldOutput(tagged.output(), expiry));
        context.timerService().registerProcessingTimeTimer(expiry);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<InferenceResult<E>> out)
            throws Exception {
        PendingInference<E> submitted = pending.value();
        if (submitted != null && timestamp >= submitted.deadlineMillis()) {
            pending.clear();
            pendingCount--;
            rememberDone(context);
            context.output(deadlineReached, submitted);
        }
        Long done = doneUntil.value();
        if (done != null && timestamp >= done) {
            doneUntil.clear();
        }
        HeldOutput held = early.value();
        if (held != null && timestamp >= held.expiresAtMillis()) {
            early.clear();
            metrics.unmatchedOutputsDropped.inc();
        }
    }

    private void decide(
            PendingInference<E> submitted,
            InferenceOutput object,
            Context context,
            Collector<InferenceResult<E>> out)
            throws Exception {
        out.collect(resultOf(submitted, object, now(context)));
        rememberDone(context);
    }

    private void rememberDone(Context context) throws Exception {
        long until = now(context) + config.duplicateRetentionMillis();
        doneUntil.update(until);
        context.timerService().registerProcessingTimeTimer(until);
    }

    /**
     * The result of a second submission with an ID already in use. Its input location is left out:
     * it is the first submission's too, and cleanup must not delete it.
     */
    private static <E> InferenceResult<E> duplicate(PendingInference<E> second, long now) {
        return InferenceResult.rejected(
                second.inferenceId(),
                second.element(),
                second.path(),
                RejectionReason.DUPLICATE_INFERENCE_ID,
                "Inference ID '"
                        + second.inferenceId()
                        + "' was submitted again while an earlier submission with it was pending"
                        + " or recently answered; the two share their result locations, so this"
                        + " one gets no result of its own. Give every element its own ID",
                now);
    }

    /** The result an object gives its inference: by the status its claim expects. */
    static <E> InferenceResult<E> resultOf(
            PendingInference<E> submitted, InferenceOutput found, long decidedMillis) {
        InferenceOutput object = located(submitted, found);
        if (!object.isReadable()) {
            return InferenceResult.unreadable(submitted, object, decidedMillis);
        }
        return object.status() == ResultStatus.SUCCESS
                ? InferenceResult.success(submitted, object, decidedMillis)
                : InferenceResult.modelError(submitted, object, decidedMillis);
    }

    /**
     * A notification that includes the response may not name the output location: it is the
     * inference's own. A failure notification that names no location answers with the service's
     * failureReason and no location, so cleanup leaves the failure object, whose text was not read.
     */
    private static InferenceOutput located(PendingInference<?> submitted, InferenceOutput object) {
        if (!object.location().isEmpty()
                || object.status() != ResultStatus.SUCCESS
                || submitted.outputLocation() == null) {
            return object;
        }
        return object.withLocation(submitted.outputLocation());
    }

    /** Whether an object is older than the submission it would answer. */
    static boolean isStale(PendingInference<?> submitted, InferenceOutput object) {
        return object.lastModifiedMillis() < submitted.submitTimeMillis() - STALE_TOLERANCE_MILLIS;
    }

    @VisibleForTesting
    JoinMetrics metrics() {
        return metrics;
    }

    private long now(Context context) {
        return context.timerService().currentProcessingTime();
    }

    /** The pending record of the current key, or null; for {@link RestoredJoinOperator}. */
    PendingInference<E> pendingOfCurrentKey() throws Exception {
        return pending.value();
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
    }
}
