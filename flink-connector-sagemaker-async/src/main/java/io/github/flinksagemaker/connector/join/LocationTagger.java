package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.source.InferenceOutput;
import io.github.flinksagemaker.connector.source.InferenceOutputTypeInfo;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * First step of the re-join, keyed by S3 location: pairs each result object with the inference ID
 * that claimed its location (the OutputLocation or FailureLocation the service returned), in either
 * order, and emits {@code (inferenceId, object)}. Object names are never parsed.
 *
 * <p>Claims are {@code (location, inferenceId, deadlineMillis)} and are kept past the deadline for
 * the duplicate retention, so that a late object still reaches the join, which drops and counts it;
 * objects nobody claimed yet are kept for the unmatched-output retention, then dropped and counted.
 * Timers clear both.
 */
@Internal
public final class LocationTagger
        extends KeyedCoProcessFunction<
                String,
                Tuple3<String, String, Long>,
                InferenceOutput,
                Tuple2<String, InferenceOutput>> {
    private static final long serialVersionUID = 1L;

    private final long unmatchedRetentionMillis;
    private final long lateRetentionMillis;
    private transient Counter unmatchedOutputsDropped;
    private transient ValueState<String> claimedBy;
    private transient ValueState<InferenceOutput> unclaimed;

    /** When whichever of the two is stored may be forgotten. */
    private transient ValueState<Long> expiry;

    /**
     * @param unmatchedRetentionMillis how long an unclaimed object waits for its claim
     * @param lateRetentionMillis how long past its deadline a claim still tags late objects
     */
    public LocationTagger(long unmatchedRetentionMillis, long lateRetentionMillis) {
        this.unmatchedRetentionMillis = unmatchedRetentionMillis;
        this.lateRetentionMillis = lateRetentionMillis;
    }

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
        claimedBy =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("claimed-by", Types.STRING));
        expiry = getRuntimeContext().getState(new ValueStateDescriptor<>("expiry", Types.LONG));
        unmatchedOutputsDropped =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("sagemakerAsync")
                        .counter("unmatchedOutputsDropped");
        unclaimed =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "unclaimed-output", new InferenceOutputTypeInfo()));
    }

    @Override
    public void processElement1(
            Tuple3<String, String, Long> claim,
            Context context,
            Collector<Tuple2<String, InferenceOutput>> out)
            throws Exception {
        InferenceOutput waiting = unclaimed.value();
        if (waiting != null) {
            out.collect(Tuple2.of(claim.f1, waiting));
            unclaimed.clear();
            expiry.clear();
            return;
        }
        claimedBy.update(claim.f1);
        keepUntil(
                context,
                Math.max(claim.f2, context.timerService().currentProcessingTime())
                        + lateRetentionMillis);
    }

    @Override
    public void processElement2(
            InferenceOutput object, Context context, Collector<Tuple2<String, InferenceOutput>> out)
            throws Exception {
        String inferenceId = claimedBy.value();
        if (inferenceId != null) {
            out.collect(Tuple2.of(inferenceId, object));
            claimedBy.clear();
            expiry.clear();
            return;
        }
        unclaimed.update(object);
        keepUntil(
                context, context.timerService().currentProcessingTime() + unmatchedRetentionMillis);
    }

    private void keepUntil(Context context, long timestamp) throws Exception {
        expiry.update(timestamp);
        context.timerService().registerProcessingTimeTimer(timestamp);
    }

    @Override
    public void onTimer(
            long timestamp, OnTimerContext context, Collector<Tuple2<String, InferenceOutput>> out)
            throws Exception {
        Long until = expiry.value();
        if (until != null && timestamp >= until) {
            if (unclaimed.value() != null) {
                unmatchedOutputsDropped.inc();
            }
            claimedBy.clear();
            unclaimed.clear();
            expiry.clear();
        }
    }
}
