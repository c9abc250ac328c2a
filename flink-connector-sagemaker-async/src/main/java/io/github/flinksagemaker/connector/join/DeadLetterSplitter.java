package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each SUCCESS result to the main output and every other result to a side output only, so
 * that each result reaches exactly one of the two.
 */
@Internal
public final class DeadLetterSplitter<E>
        extends ProcessFunction<InferenceResult<E>, InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final OutputTag<InferenceResult<E>> deadLetters;

    public DeadLetterSplitter(OutputTag<InferenceResult<E>> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void processElement(
            InferenceResult<E> result, Context context, Collector<InferenceResult<E>> out) {
        if (result.isSuccess()) {
            out.collect(result);
        } else {
            context.output(deadLetters, result);
        }
    }
}
