package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.PendingInference;

import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes accepted submissions on to the re-join and turns rejected ones into their REJECTED result,
 * on a side output.
 */
@Internal
public final class SubmissionSplitter<E>
        extends ProcessFunction<PendingInference<E>, PendingInference<E>> {
    private static final long serialVersionUID = 1L;

    private final OutputTag<InferenceResult<E>> rejected;

    public SubmissionSplitter(OutputTag<InferenceResult<E>> rejected) {
        this.rejected = rejected;
    }

    @Override
    public void processElement(
            PendingInference<E> submission, Context context, Collector<PendingInference<E>> out) {
        if (submission.isRejected()) {
            context.output(rejected, InferenceResult.rejected(submission));
        } else {
            out.collect(submission);
        }
    }
}
