package io.github.flinksagemaker.connector.notification.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.connector.source.RichSourceReaderContext;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether, and how often, the job a reader runs in takes checkpoints, decided where the reader
 * starts: from the job's configuration ({@code execution.checkpointing.interval}) as the runtime
 * has it, so that checkpointing enabled after the source was built (after {@code apply()}, or by
 * {@code SET} in SQL) counts.
 */
@Internal
final class JobCheckpointing {
    /** Flink's StreamGraph treats shorter intervals as "checkpointing disabled". */
    private static final Duration MINIMAL_INTERVAL = Duration.ofMillis(10);

    private JobCheckpointing() {}

    /**
     * The job's checkpoint interval, or null when it takes no checkpoints. An interval the job sets
     * wins, 0 included (a job may turn off what the cluster turns on); the cluster's counts only
     * when the job sets none. Like Flink, an interval under 10 ms means no checkpoints.
     */
    static Duration interval(SourceReaderContext context) {
        ReadableConfig job = jobConfiguration(context);
        Optional<Duration> fromJob =
                job != null
                        ? job.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                        : Optional.empty();
        Duration interval =
                fromJob.or(
                                () ->
                                        context.getConfiguration()
                                                .getOptional(
                                                        CheckpointingOptions
                                                                .CHECKPOINTING_INTERVAL))
                        .orElse(null);
        return interval != null && interval.compareTo(MINIMAL_INTERVAL) >= 0 ? interval : null;
    }

    /** The job's configuration, when the reader runs in a Flink task; null in other contexts. */
    private static ReadableConfig jobConfiguration(SourceReaderContext context) {
        if (!(context instanceof RichSourceReaderContext)) {
            return null;
        }
        RuntimeContext runtime;
        try {
            runtime = ((RichSourceReaderContext) context).getRuntimeContext();
        } catch (NullPointerException notSet) {
            return null;
        }
        return runtime instanceof StreamingRuntimeContext
                ? ((StreamingRuntimeContext) runtime).getJobConfiguration()
                : null;
    }
}
