package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * First step of the re-join, keyed by S3 location: pairs each result object with the inference that
 * claimed its location (the OutputLocation or FailureLocation the service returned), in either
 * order, and emits it tagged with that inference's ID and with the status the claim expects, so a
 * result's status never depends on which prefix it was listed under. Object names are never parsed.
 *
 * <p>A claim lives until its inference's deadline and tags every copy of its object: a key
 * rewritten by a retry, or a copy left by an earlier use of the ID and listed again after a
 * restore, all reach the join, which alone decides which copy answers. An object nobody claimed yet
 * waits for the unmatched-output retention, then is dropped and counted. Each is one state, so the
 * location key is stored once, and each timer is deleted when its state is.
 */
@Internal
public final class LocationTagger
        extends KeyedCoProcessFunction<String, LocationClaim, InferenceOutput, TaggedOutput> {
    private static final long serialVersionUID = 1L;

    static final String CLAIM_STATE = "claim";
    static final String UNCLAIMED_STATE = "unclaimed-output";

    private final long unmatchedRetentionMillis;

    private transient ValueState<Claimant> claim;
    private transient ValueState<HeldOutput> unclaimed;
    private transient Counter unmatchedOutputsDropped;

    public LocationTagger(JoinConfig config) {
        this.unmatchedRetentionMillis = config.unmatchedOutputRetentionMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        claim =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>(CLAIM_STATE, JoinTypes.CLAIMANT));
        unclaimed =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(UNCLAIMED_STATE, JoinTypes.HELD_OUTPUT));
        unmatchedOutputsDropped =
                ConnectorMetricGroup.in(getRuntimeContext().getMetricGroup())
                        .counter("unmatchedOutputsDropped");
    }

    @Override
    public void processElement1(LocationClaim claimed, Context context, Collector<TaggedOutput> out)
            throws Exception {
        Claimant claimant = claimed.claimant();
        HeldOutput waiting = unclaimed.value();
        if (waiting != null) {
            unclaimed.clear();
            context.timerService().deleteProcessingTimeTimer(waiting.expiresAtMillis());
            out.collect(tag(claimant, waiting.output()));
        }
        Claimant previous = claim.value();
        if (previous != null) {
            // A replayed submission claims again; keep one timer.
            context.timerService().deleteProcessingTimeTimer(previous.deadlineMillis());
        }
        claim.update(claimant);
        context.timerService().registerProcessingTimeTimer(claimant.deadlineMillis());
    }

    @Override
    public void processElement2(
            InferenceOutput object, Context context, Collector<TaggedOutput> out) throws Exception {
        Claimant claimant = claim.value();
        if (claimant != null) {
            out.collect(tag(claimant, object));
            return;
        }
        HeldOutput previous = unclaimed.value();
        if (previous != null) {
            // The same key listed again (rewritten): keep the fresher copy, one timer.
            if (!previous.isReplacedBy(object)) {
                return;
            }
            context.timerService().deleteProcessingTimeTimer(previous.expiresAtMillis());
        }
        long expiry = context.timerService().currentProcessingTime() + unmatchedRetentionMillis;
        unclaimed.update(new HeldOutput(object, expiry));
        context.timerService().registerProcessingTimeTimer(expiry);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<TaggedOutput> out)
            throws Exception {
        Claimant claimant = claim.value();
        if (claimant != null && timestamp >= claimant.deadlineMillis()) {
            claim.clear();
        }
        HeldOutput waiting = unclaimed.value();
        if (waiting != null && timestamp >= waiting.expiresAtMillis()) {
            unclaimed.clear();
            unmatchedOutputsDropped.inc();
        }
    }

    private static TaggedOutput tag(Claimant claimant, InferenceOutput object) {
        return new TaggedOutput(claimant.inferenceId(), object.withStatus(claimant.expected()));
    }
}
