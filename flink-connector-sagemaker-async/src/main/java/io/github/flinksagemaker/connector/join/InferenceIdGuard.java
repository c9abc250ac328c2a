package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;
import io.github.flinksagemaker.connector.submit.ElementProjection;
import io.github.flinksagemaker.connector.submit.InferenceIdExtractor;
import io.github.flinksagemaker.connector.submit.InferenceIds;
import io.github.flinksagemaker.connector.submit.RejectionReason;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by inference ID, before submission: the first element with an ID goes on; a later element
 * with the same ID, while the first may still be answered, gets a REJECTED result ({@link
 * RejectionReason#DUPLICATE_INFERENCE_ID}) before anything is uploaded or invoked for it. Two
 * elements with one ID would share an input key and an output location, so one could be answered
 * with the other's output.
 *
 * <p>The guard is checkpointed with everything else: an element replayed after a failover comes
 * from a position after the checkpoint, which the restored state has not seen, so it passes and
 * keeps its ID.
 *
 * <p>An ID is remembered for a horizon that covers the join's memory of it: the submit timeout, the
 * result window and the duplicate retention. When its timer fires late (the job was down or
 * stalled), the join's deadline fired late too and remembers the ID from now on, so the guard keeps
 * it for another horizon instead of forgetting it early. Should a repeated ID still pass, the join
 * rejects the second submission; it is never silently dropped.
 */
@Internal
public final class InferenceIdGuard<IN, E> extends KeyedProcessFunction<String, IN, IN> {
    private static final long serialVersionUID = 1L;

    static final String IN_USE_STATE = "in-use-until";

    /** How late a timer may fire and still count as on time. */
    static final long LATE_TIMER_TOLERANCE_MILLIS = 1_000L;

    /** The key of elements whose ID is missing or invalid: they pass, and submit rejects them. */
    static final String NO_VALID_ID = "";

    private final ElementProjection<IN, E> projection;
    private final long horizonMillis;
    private final OutputTag<InferenceResult<E>> rejected;

    private transient ValueState<Long> inUseUntil;
    private transient Counter duplicateIds;

    /**
     * @param horizonMillis how long an ID stays in use after its first element
     */
    public InferenceIdGuard(
            ElementProjection<IN, E> projection,
            long horizonMillis,
            OutputTag<InferenceResult<E>> rejected) {
        this.projection = projection;
        this.horizonMillis = horizonMillis;
        this.rejected = rejected;
    }

    /** The key to guard by: the element's ID, or {@link #NO_VALID_ID}; never throws. */
    public static <IN> KeySelector<IN, String> keyBy(InferenceIdExtractor<IN> extractor) {
        return element -> {
            try {
                String id = extractor.extract(element);
                return InferenceIds.problem(id) == null ? id : NO_VALID_ID;
            } catch (Exception e) {
                return NO_VALID_ID;
            }
        };
    }

    @Override
    public void open(OpenContext openContext) {
        inUseUntil =
                getRuntimeContext().getState(new ValueStateDescriptor<>(IN_USE_STATE, Types.LONG));
        duplicateIds =
                ConnectorMetricGroup.in(getRuntimeContext().getMetricGroup())
                        .counter("duplicateIdsRejected");
    }

    @Override
    public void processElement(IN element, Context context, Collector<IN> out) throws Exception {
        String id = context.getCurrentKey();
        if (NO_VALID_ID.equals(id)) {
            out.collect(element);
            return;
        }
        long now = context.timerService().currentProcessingTime();
        if (inUseUntil.value() != null) {
            duplicateIds.inc();
            context.output(
                    rejected,
                    InferenceResult.rejected(
                            id,
                            projectOrNull(element),
                            null,
                            RejectionReason.DUPLICATE_INFERENCE_ID,
                            "Inference ID '"
                                    + id
                                    + "' is already used by an earlier element of this job;"
                                    + " give every element its own ID",
                            now));
            return;
        }
        long until = now + horizonMillis;
        inUseUntil.update(until);
        context.timerService().registerProcessingTimeTimer(until);
        out.collect(element);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<IN> out)
            throws Exception {
        Long until = inUseUntil.value();
        if (until == null || timestamp < until) {
            return;
        }
        long now = context.timerService().currentProcessingTime();
        if (now - until > LATE_TIMER_TOLERANCE_MILLIS) {
            long extended = now + horizonMillis;
            inUseUntil.update(extended);
            context.timerService().registerProcessingTimeTimer(extended);
        } else {
            inUseUntil.clear();
        }
    }

    private E projectOrNull(IN element) {
        try {
            return projection.project(element);
        } catch (Exception e) {
            return null;
        }
    }
}
