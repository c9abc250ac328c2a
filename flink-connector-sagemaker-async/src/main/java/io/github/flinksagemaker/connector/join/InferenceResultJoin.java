package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceTypeInfo;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Second step of the re-join, keyed by inference ID: decides the single result of each accepted
 * submission from its pending record (input 1) and its tagged result object (input 2: from the
 * {@link LocationTagger} when completions are listed, or straight from a notification), whichever
 * arrives first. At the deadline it decides nothing itself: the pending record goes to the {@link
 * #deadlineTag} side output, where {@link ResultLocationCheck} looks at the inference's own
 * locations before declaring it TIMED_OUT, so an answer that a listing missed, or that arrived
 * while the job was down, is still found. After either, the ID is remembered for the duplicate
 * retention so that second or late objects are dropped and counted, never emitted twice.
 *
 * <p>A second pending record for an ID that is pending or remembered gets a REJECTED result ({@link
 * RejectionReason#DUPLICATE_INFERENCE_ID}), never silence. Under exactly-once checkpointing a
 * replayed submission never reaches the join twice (the restored state predates it), so this is a
 * second element with the ID that the ID guard let through, or an at-least-once redelivery.
 *
 * <p>An object last modified well before its submission is stale (left by an earlier use of the
 * same ID at the same location) and never answers it. Of the objects that come before their pending
 * record, only the freshest is held: a stale copy cannot hide the answer.
 *
 * <p><b>Event time</b>, as Flink's unordered Async I/O: every result, and every record sent to the
 * deadline check, carries its element's timestamp, kept in keyed state while the inference is
 * pending. The output watermark is the input's, held before the earliest pending element ({@link
 * WatermarkHold}), so no result is ever late downstream. Results carry no event time of their own:
 * input 2's watermarks and idleness are ignored, so the result sources never hold anything back.
 *
 * <p><b>End of input</b>: once its submissions have ended and nothing is pending, a subtask tells
 * the join's coordinator ({@link ResultsEndCoordinator}), which ends the result source when every
 * subtask has; the job then finishes. When the results end first with inferences still pending (a
 * stop with {@code --drain}), the join keeps looking at their locations until each has its result
 * or reaches its deadline, as Async I/O waits for its requests.
 *
 * <p>When {@code restoredLooks} is set (completion by notification), it looks at every restored
 * pending inference's locations soon after a restore: notifications consumed after the snapshot
 * were deleted and will not come again.
 */
@Internal
public final class InferenceResultJoin<E> extends AbstractStreamOperator<InferenceResult<E>>
        implements TwoInputStreamOperator<PendingInference<E>, TaggedOutput, InferenceResult<E>>,
                Triggerable<String, VoidNamespace>,
                BoundedMultiInput {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(InferenceResultJoin.class);

    static final String PENDING_STATE = "pending";
    static final String EARLY_STATE = "early-output";
    static final String DONE_STATE = "done-until";
    static final String ELEMENT_TIMESTAMP_STATE = "element-timestamp";

    /** The timers' name as {@code KeyedCoProcessOperator} registered them, so they restore. */
    private static final String TIMERS = "user-timers";

    /**
     * How much older than its submission a result object may look and still answer it: S3 reports
     * last-modified to the second, and the clocks of S3 and the TaskManagers differ a little.
     */
    static final long STALE_TOLERANCE_MILLIS = 60_000L;

    /** How often a drained join looks again at a pending inference's locations. */
    static final long DRAIN_LOOK_INTERVAL_MILLIS = 5_000L;

    /** How long a deadline check may take unless {@link #deadlineChecksTakeUpTo} says. */
    static final long DEFAULT_DEADLINE_CHECK_MILLIS = 60_000L;

    private final TypeInformation<E> elementType;
    private final JoinConfig config;
    private final OutputTag<PendingInference<E>> deadlineReached;
    private final WatchConfig watch;
    private final WatchClientFactory clientFactory;
    private final boolean restoredLooks;
    private long deadlineCheckMillis = DEFAULT_DEADLINE_CHECK_MILLIS;

    private transient OperatorEventGateway endGateway;

    private transient ValueState<PendingInference<E>> pending;
    private transient ValueState<HeldOutput> early;
    private transient ValueState<Long> doneUntil;
    private transient ValueState<Long> elementTimestamp;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient WatermarkHold hold;
    private transient long pendingCount;
    private transient boolean inputIdle;
    private transient boolean outputIdle;
    private transient long activeUntilMillis;
    private transient boolean idlenessCheckScheduled;
    private transient long watermarkIntervalMillis;

    /** The longest a watermark the results allow waits: Flink's default auto-watermark interval. */
    static final long MAX_WATERMARK_INTERVAL_MILLIS = 200;

    private transient long nextWatermarkAtMillis;
    private transient boolean watermarkEmissionScheduled;
    private transient boolean restored;
    private transient boolean submissionsEnded;
    private transient boolean resultsEnded;
    private transient boolean endReported;
    private transient S3ObjectStore store;
    private transient JoinMetrics metrics;

    /** Reused for every result, as Flink's own collectors do: one per element would be garbage. */
    private transient StreamRecord<InferenceResult<E>> resultRecord;

    /**
     * A join that looks at no locations itself: completions are listed, and the listing finds every
     * result again after a restore.
     *
     * @param deadlineReached where pending records go when their deadline passes without a result
     */
    public InferenceResultJoin(
            TypeInformation<E> elementType,
            JoinConfig config,
            OutputTag<PendingInference<E>> deadlineReached) {
        this(elementType, config, deadlineReached, null, null, false);
    }

    /**
     * @param watch where to look for results when the result source ends early; null never looks
     * @param restoredLooks whether to look at every restored pending inference's locations
     */
    public InferenceResultJoin(
            TypeInformation<E> elementType,
            JoinConfig config,
            OutputTag<PendingInference<E>> deadlineReached,
            WatchConfig watch,
            WatchClientFactory clientFactory,
            boolean restoredLooks) {
        this.elementType = elementType;
        this.config = config;
        this.deadlineReached = deadlineReached;
        this.watch = watch;
        this.clientFactory = clientFactory;
        this.restoredLooks = restoredLooks && watch != null;
    }

    /** The side output of pending records whose deadline passed without a result. */
    public static <E> OutputTag<PendingInference<E>> deadlineTag(TypeInformation<E> elementType) {
        return new OutputTag<>("deadline-reached", new PendingInferenceTypeInfo<>(elementType));
    }

    /**
     * How long the deadline check (Flink's Async I/O) may take for a record the join sent it. Until
     * then the join stays active even when its input is idle: the check forwards idleness at once,
     * ahead of its record, and an idle union downstream would let its watermark pass the record.
     */
    public InferenceResultJoin<E> deadlineChecksTakeUpTo(long millis) {
        this.deadlineCheckMillis = millis;
        return this;
    }

    /** Where a subtask reports that its submissions ended and nothing is pending. */
    void reportEndTo(OperatorEventGateway gateway) {
        this.endGateway = gateway;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending =
                getPartitionedState(
                        new ValueStateDescriptor<>(
                                PENDING_STATE, new PendingInferenceTypeInfo<>(elementType)));
        early = getPartitionedState(new ValueStateDescriptor<>(EARLY_STATE, JoinTypes.HELD_OUTPUT));
        doneUntil = getPartitionedState(new ValueStateDescriptor<>(DONE_STATE, Types.LONG));
        ValueStateDescriptor<Long> timestampDescriptor =
                new ValueStateDescriptor<>(ELEMENT_TIMESTAMP_STATE, Types.LONG);
        elementTimestamp = getPartitionedState(timestampDescriptor);
        timers = getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        metrics = new JoinMetrics(getMetricGroup(), () -> pendingCount);
        hold = new WatermarkHold();
        // Capped: a job may set a long interval for its sources' sake, not to delay results.
        watermarkIntervalMillis =
                Math.min(
                        getExecutionConfig().getAutoWatermarkInterval(),
                        MAX_WATERMARK_INTERVAL_MILLIS);
        resultRecord = new StreamRecord<>(null);
        if (restored) {
            rebuildFromState(timestampDescriptor);
        }
    }

    /**
     * The hold and the count are kept only in memory: both follow from the keyed state, which a
     * restore at any parallelism redistributes correctly. One scan of the pending keys per restore.
     */
    private void rebuildFromState(ValueStateDescriptor<Long> timestampDescriptor) throws Exception {
        this.<String>getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        timestampDescriptor,
                        (key, timestamp) -> hold.add(timestamp.value()));
        List<String> pendingIds = pendingIds();
        pendingCount = pendingIds.size();
        if (restoredLooks && !pendingIds.isEmpty()) {
            LOG.info(
                    "Restored {} pending inferences; looking at their result locations now rather"
                            + " than at their deadlines",
                    pendingIds.size());
            looks(0).lookAt(pendingIds);
        }
    }

    private List<String> pendingIds() throws Exception {
        try (Stream<String> keys =
                this.<String>getKeyedStateBackend()
                        .getKeys(PENDING_STATE, VoidNamespace.INSTANCE)) {
            return keys.collect(Collectors.toList());
        }
    }

    // ---- Decisions ------------------------------------------------------------------------

    @Override
    public void processElement1(StreamRecord<PendingInference<E>> record) throws Exception {
        PendingInference<E> submitted = record.getValue();
        Long timestamp = record.hasTimestamp() ? record.getTimestamp() : null;
        if (doneUntil.value() != null || pending.value() != null) {
            metrics.duplicateIdsRejected.inc();
            emit(duplicate(submitted, now()), timestamp);
            return;
        }
        HeldOutput held = early.value();
        if (held != null) {
            early.clear();
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, held.expiresAtMillis());
            if (!isStale(submitted, held.output())) {
                decide(submitted, held.output(), timestamp);
                return;
            }
            metrics.staleOutputsDropped.inc();
        }
        pending.update(submitted);
        pendingCount++;
        if (timestamp != null) {
            elementTimestamp.update(timestamp);
            hold.add(timestamp);
            markActive();
        }
        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, submitted.deadlineMillis());
    }

    @Override
    public void processElement2(StreamRecord<TaggedOutput> record) throws Exception {
        accept(record.getValue().output());
    }

    /** A result object for the current key, from the results input or a look. */
    private void accept(InferenceOutput output) throws Exception {
        if (doneUntil.value() != null) {
            metrics.lateOutputsDropped.inc();
            return;
        }
        PendingInference<E> submitted = pending.value();
        if (submitted != null) {
            if (isStale(submitted, output)) {
                metrics.staleOutputsDropped.inc();
                return;
            }
            Long timestamp = resolvePending(submitted);
            decide(submitted, output, timestamp);
            afterResolved();
            return;
        }
        HeldOutput held = early.value();
        if (held != null) {
            // Two objects before the pending record, which alone can tell a stale one: keep the
            // fresher, which answers if either does, and wait for it for its own retention.
            metrics.lateOutputsDropped.inc();
            if (!held.isReplacedBy(output)) {
                return;
            }
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, held.expiresAtMillis());
        }
        long expiry = now() + config.unmatchedOutputRetentionMillis();
        early.update(new HeldOutput(output, expiry));
        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, expiry);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        long time = timer.getTimestamp();
        PendingInference<E> submitted = pending.value();
        if (submitted != null && time >= submitted.deadlineMillis()) {
            Long timestamp = resolvePending(submitted);
            rememberDone();
            output.collect(deadlineReached, record(submitted, timestamp));
            activeUntilMillis = Math.max(activeUntilMillis, time + deadlineCheckMillis);
            afterResolved();
        }
        Long done = doneUntil.value();
        if (done != null && time >= done) {
            doneUntil.clear();
        }
        HeldOutput held = early.value();
        if (held != null && time >= held.expiresAtMillis()) {
            early.clear();
            metrics.unmatchedOutputsDropped.inc();
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // The join keeps only processing-time timers: deadlines and retentions.
    }

    /** Clears the current key's pending record; returns its element's timestamp, if it had one. */
    private Long resolvePending(PendingInference<E> submitted) throws Exception {
        pending.clear();
        pendingCount--;
        timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, submitted.deadlineMillis());
        Long timestamp = elementTimestamp.value();
        if (timestamp != null) {
            elementTimestamp.clear();
            hold.remove(timestamp);
        }
        return timestamp;
    }

    private void decide(PendingInference<E> submitted, InferenceOutput object, Long timestamp)
            throws Exception {
        emit(resultOf(submitted, object, now()), timestamp);
        rememberDone();
    }

    private void rememberDone() throws Exception {
        long until = now() + config.duplicateRetentionMillis();
        doneUntil.update(until);
        timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, until);
    }

    private void emit(InferenceResult<E> result, Long timestamp) {
        if (timestamp == null) {
            resultRecord.replace(result);
            resultRecord.eraseTimestamp();
        } else {
            resultRecord.replace(result, timestamp);
        }
        output.collect(resultRecord);
    }

    private static <T> StreamRecord<T> record(T value, Long timestamp) {
        return timestamp == null ? new StreamRecord<>(value) : new StreamRecord<>(value, timestamp);
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

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }

    // ---- Event time -----------------------------------------------------------------------

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        hold.advanceInput(mark.getTimestamp());
        emitHeldWatermark();
    }

    /** Results carry no event time: their source's watermarks never hold the output back. */
    @Override
    public void processWatermark2(Watermark mark) {}

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) {
        if (inputIndex == 0) { // the submissions; the results (1) have no say
            inputIdle = status.isIdle();
            updateIdleness();
        }
    }

    private void afterResolved() throws Exception {
        if (hold.isEmpty()) {
            emitHeldWatermark();
        } else {
            emitHeldWatermarkAtMostOncePerInterval();
        }
        reportEndIfDrained();
    }

    /**
     * Results mostly come oldest first, so each would advance the watermark: one watermark per
     * result, each sent to every channel downstream. As sources do, emit at most one per {@code
     * pipeline.auto-watermark-interval} (at most 200 ms); the input's own watermarks and an emptied
     * hold still pass at once.
     */
    private void emitHeldWatermarkAtMostOncePerInterval() {
        long now = now();
        if (now >= nextWatermarkAtMillis) {
            nextWatermarkAtMillis = now + watermarkIntervalMillis;
            emitHeldWatermark();
        } else if (!watermarkEmissionScheduled) {
            watermarkEmissionScheduled = true;
            getProcessingTimeService()
                    .registerTimer(
                            nextWatermarkAtMillis,
                            time -> {
                                watermarkEmissionScheduled = false;
                                nextWatermarkAtMillis = time + watermarkIntervalMillis;
                                emitHeldWatermark();
                            });
        }
    }

    private void emitHeldWatermark() {
        long next = hold.advance();
        if (next != Long.MIN_VALUE) {
            markActive();
            output.emitWatermark(new Watermark(next));
        }
        updateIdleness();
    }

    /**
     * Idle only while the input is idle, no element waits (a pending one must hold) and no deadline
     * check may still be running.
     */
    private void updateIdleness() {
        if (!inputIdle || !hold.isEmpty()) {
            markActive();
            return;
        }
        long now = now();
        if (now < activeUntilMillis) {
            if (!idlenessCheckScheduled) {
                idlenessCheckScheduled = true;
                getProcessingTimeService()
                        .registerTimer(
                                activeUntilMillis,
                                time -> {
                                    idlenessCheckScheduled = false;
                                    updateIdleness();
                                });
            }
            return;
        }
        if (!outputIdle) {
            outputIdle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
    }

    private void markActive() {
        if (outputIdle) {
            outputIdle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
    }

    // ---- End of input ---------------------------------------------------------------------

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) {
            submissionsEnded = true;
            reportEndIfDrained();
        } else {
            resultsEnded = true;
        }
        if (submissionsEnded && resultsEnded && pendingCount > 0) {
            drain();
        }
    }

    private void reportEndIfDrained() {
        if (submissionsEnded && pendingCount == 0 && !endReported && endGateway != null) {
            endReported = true;
            endGateway.sendEventToCoordinator(new JoinDrainedEvent());
        }
    }

    /**
     * No result will come from the results input any more, yet inferences are pending: look at
     * their locations until each has its result or reaches its deadline, yielding to the mailbox
     * meanwhile so that looks, deadlines and the deadline check's records go on.
     */
    private void drain() throws Exception {
        List<String> pendingIds = pendingIds();
        if (watch != null) {
            LOG.info(
                    "The results ended with {} inferences pending; looking at their result"
                            + " locations until each has its result or reaches its deadline",
                    pendingIds.size());
            looks(DRAIN_LOOK_INTERVAL_MILLIS).lookAt(pendingIds);
        } else {
            LOG.info(
                    "The results ended with {} inferences pending; waiting for their deadlines",
                    pendingIds.size());
        }
        MailboxExecutor mailbox =
                getContainingTask()
                        .getMailboxExecutorFactory()
                        .createExecutor(getOperatorConfig().getChainIndex());
        while (pendingCount > 0) {
            mailbox.yield();
        }
    }

    private PendingLooks<E> looks(long repeatMillis) {
        if (store == null) {
            store = clientFactory.s3(watch);
        }
        return new PendingLooks<>(
                new PendingLooks.Join<>() {
                    @Override
                    public PendingInference<E> pendingOf(String inferenceId) throws Exception {
                        setCurrentKey(inferenceId);
                        return pending.value();
                    }

                    @Override
                    public void found(String inferenceId, InferenceOutput output) throws Exception {
                        setCurrentKey(inferenceId);
                        accept(output);
                    }
                },
                new ResultLocations(store, watch),
                getProcessingTimeService(),
                repeatMillis > 0 ? metrics.drainLooks : metrics.restoredLooks,
                repeatMillis > 0 ? metrics.drainLooksFound : metrics.restoredLooksFound,
                repeatMillis);
    }

    @VisibleForTesting
    JoinMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() throws Exception {
        try {
            if (store != null) {
                store.close();
                store = null;
            }
        } finally {
            super.close();
        }
    }
}
