package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.EnumMap;
import java.util.Map;

/**
 * The last step: passes every result on, also sends non-SUCCESS results to a side output for
 * dead-letter handling, and counts results by status with the end-to-end latency.
 */
@Internal
public final class DeadLetterRouter<E>
        extends ProcessFunction<InferenceResult<E>, InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final OutputTag<InferenceResult<E>> deadLetters;
    private transient Map<InferenceStatus, Counter> results;
    private transient Histogram endToEndLatencyMillis;

    public DeadLetterRouter(OutputTag<InferenceResult<E>> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("sagemakerAsync");
        results = new EnumMap<>(InferenceStatus.class);
        results.put(InferenceStatus.SUCCESS, group.counter("resultsSuccess"));
        results.put(InferenceStatus.MODEL_ERROR, group.counter("resultsModelError"));
        results.put(InferenceStatus.REJECTED, group.counter("resultsRejected"));
        results.put(InferenceStatus.TIMED_OUT, group.counter("resultsTimedOut"));
        endToEndLatencyMillis =
                group.histogram("endToEndLatencyMillis", new DescriptiveStatisticsHistogram(1000));
    }

    @Override
    public void processElement(
            InferenceResult<E> result, Context context, Collector<InferenceResult<E>> out) {
        results.get(result.status()).inc();
        if (result.status() != InferenceStatus.REJECTED) {
            endToEndLatencyMillis.update(result.latencyMillis());
        }
        out.collect(result);
        if (!result.isSuccess()) {
            context.output(deadLetters, result);
        }
    }
}
