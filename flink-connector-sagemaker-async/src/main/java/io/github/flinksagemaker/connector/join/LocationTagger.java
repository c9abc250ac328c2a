package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.InferenceOutputTypeInfo;

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

    /**
     * The claiming inference ID and when the claim may be forgotten, in one state so that the
     * location key is stored once per claim (checkpoints repeat the key for every state).
     */
    private transient ValueState<Tuple2<String, Long>> claim;

    /** An object nobody claimed yet, and when it may be dropped. */
    private transient ValueState<Tuple2<InferenceOutput, Long>> unclaimed;

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
        claim =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "claim", Types.TUPLE(Types.STRING, Types.LONG)));
        unclaimed =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "unclaimed-output",
                                        Types.TUPLE(new InferenceOutputTypeInfo(), Types.LONG)));
        unmatchedOutputsDropped =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("sagemakerAsync")
                        .counter("unmatchedOutputsDropped");
    }

    @Override
    public void processElement1(
            Tuple3<String, String, Long> claimed,
            Context context,
            Collector<Tuple2<String, InferenceOutput>> out)
            throws Exception {
        Tuple2<InferenceOutput, Long> waiting = unclaimed.value();
        if (waiting != null) {
            out.collect(Tuple2.of(claimed.f1, waiting.f0));
            unclaimed.clear();
            return;
        }
        long until =
                Math.max(claimed.f2, context.timerService().currentProcessingTime())
                        + lateRetentionMillis;
        claim.update(Tuple2.of(claimed.f1, until));
        context.timerService().registerProcessingTimeTimer(until);
    }

    @Override
    public void processElement2(
            InferenceOutput object, Context context, Collector<Tuple2<String, InferenceOutput>> out)
            throws Exception {
        Tuple2<String, Long> claimedBy = claim.value();
        if (claimedBy != null) {
            out.collect(Tuple2.of(claimedBy.f0, object));
            claim.clear();
            return;
        }
        long until = context.timerService().currentProcessingTime() + unmatchedRetentionMillis;
        unclaimed.update(Tuple2.of(object, until));
        context.timerService().registerProcessingTimeTimer(until);
    }

    @Override
    public void onTimer(
            long timestamp, OnTimerContext context, Collector<Tuple2<String, InferenceOutput>> out)
            throws Exception {
        Tuple2<String, Long> claimedBy = claim.value();
        if (claimedBy != null && timestamp >= claimedBy.f1) {
            claim.clear();
        }
        Tuple2<InferenceOutput, Long> waiting = unclaimed.value();
        if (waiting != null && timestamp >= waiting.f1) {
            unmatchedOutputsDropped.inc();
            unclaimed.clear();
        }
    }
}
