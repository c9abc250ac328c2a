package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;
import io.github.flinksagemaker.connector.s3.CheckpointedDeleter;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

/**
 * What {@code sagemaker.join.cleanup} deletes once a result is checkpointed: the uploaded input,
 * and the result object when the result carries its content. An object emitted by location only
 * (over the content limit) or one that could not be read stays: the user may still need it.
 */
final class ResultCleanup {
    private ResultCleanup() {}

    static CheckpointedDeleter deleter(S3ObjectStore store, RuntimeContext runtimeContext) {
        return deleter(store, runtimeContext, retainedCheckpoints(runtimeContext));
    }

    /**
     * The job's {@code state.checkpoints.num-retained}: a restore may go back to any of them, so
     * objects are kept until the oldest covers their use.
     */
    static int retainedCheckpoints(RuntimeContext runtimeContext) {
        if (!(runtimeContext instanceof StreamingRuntimeContext)) {
            return 1;
        }
        StreamingRuntimeContext streaming = (StreamingRuntimeContext) runtimeContext;
        // The JobManager reads it from the cluster's configuration, which the TaskManagers share;
        // a job may set it too. Keep objects for the larger of the two.
        return Math.max(
                streaming.getJobConfiguration().get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS),
                streaming
                        .getTaskManagerRuntimeInfo()
                        .getConfiguration()
                        .get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS));
    }

    static CheckpointedDeleter deleter(
            S3ObjectStore store, RuntimeContext runtimeContext, int retainedCheckpoints) {
        MetricGroup group = ConnectorMetricGroup.in(runtimeContext.getMetricGroup());
        // Deletes end on the SDK's threads, one request per bucket and 1,000 keys at once.
        Counter deleted = group.counter("objectsDeleted", new ThreadSafeSimpleCounter());
        Counter failed = group.counter("deleteFailures", new ThreadSafeSimpleCounter());
        return new CheckpointedDeleter(
                store,
                new CheckpointedDeleter.Listener() {
                    @Override
                    public void deleted(int objects) {
                        deleted.inc(objects);
                    }

                    @Override
                    public void failed(int objects) {
                        failed.inc(objects);
                    }
                },
                retainedCheckpoints);
    }

    static void add(CheckpointedDeleter deleter, InferenceResult<?> result) {
        if (result.inputLocation() != null) {
            deleter.add(S3Location.parse(result.inputLocation(), "input location"));
        }
        // An included response may name no location (an unconfirmed inference's own is unknown).
        if (result.resultLocation() != null
                && !result.resultLocation().isEmpty()
                && result.isResultContentIncluded()) {
            deleter.add(S3Location.parse(result.resultLocation(), "result location"));
        }
    }
}
