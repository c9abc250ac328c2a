package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;
import io.github.flinksagemaker.connector.s3.CheckpointedDeleter;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/**
 * The last step, which every result passes exactly once: counts results by status with the
 * end-to-end latency, sends non-SUCCESS results also to the dead-letter side output, and, with
 * {@code sagemaker.join.cleanup}, deletes each result's S3 objects once the checkpoint covering its
 * emission completes (see {@link ResultCleanup} for which).
 */
@Internal
public final class ResultEmitter<E> extends ProcessFunction<InferenceResult<E>, InferenceResult<E>>
        implements CheckpointedFunction, CheckpointListener {
    private static final long serialVersionUID = 1L;

    /** Creates the store that deletes consumed objects, when cleanup is on. */
    @FunctionalInterface
    public interface CleanupStoreFactory extends Serializable {
        S3ObjectStore create();
    }

    private final OutputTag<InferenceResult<E>> deadLetters;
    private final CleanupStoreFactory cleanup;
    private transient Map<InferenceStatus, Counter> results;
    private transient Histogram endToEndLatencyMillis;
    private transient CheckpointedDeleter cleanupDeleter;

    /**
     * @param cleanup deletes inputs and result objects after their result is checkpointed; null
     *     keeps them
     */
    public ResultEmitter(OutputTag<InferenceResult<E>> deadLetters, CleanupStoreFactory cleanup) {
        this.deadLetters = deadLetters;
        this.cleanup = cleanup;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        if (cleanup != null) {
            cleanupDeleter = ResultCleanup.deleter(cleanup.create(), getRuntimeContext());
            cleanupDeleter.initializeState(context.getOperatorStateStore(), "pending-deletes");
        }
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup group = ConnectorMetricGroup.in(getRuntimeContext().getMetricGroup());
        results = new EnumMap<>(InferenceStatus.class);
        results.put(InferenceStatus.SUCCESS, group.counter("resultsSuccess"));
        results.put(InferenceStatus.MODEL_ERROR, group.counter("resultsModelError"));
        results.put(InferenceStatus.REJECTED, group.counter("resultsRejected"));
        results.put(InferenceStatus.TIMED_OUT, group.counter("resultsTimedOut"));
        results.put(InferenceStatus.UNREADABLE, group.counter("resultsUnreadable"));
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
        if (cleanupDeleter != null) {
            ResultCleanup.add(cleanupDeleter, result);
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
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
