package io.github.flinksagemaker.connector.notification.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.connector.source.RichSourceReaderContext;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;

import java.time.Duration;

/**
 * Whether, and how often, the job a reader runs in takes checkpoints, decided where the reader
 * starts: from the job's configuration ({@code execution.checkpointing.interval}) as the runtime
 * has it, so that checkpointing enabled after the source was built (after {@code apply()}, or by
 * {@code SET} in SQL) counts. Either the job's or the reader context's configuration (the
 * cluster's) naming an interval is enough: wrongly assuming checkpoints only delays deletes (a
 * message comes back after its visibility timeout and the join drops the copy), wrongly assuming
 * none would delete a message that a restore still needs.
 */
@Internal
final class JobCheckpointing {
    private JobCheckpointing() {}

    /** The job's checkpoint interval, or null when it takes no checkpoints. */
    static Duration interval(SourceReaderContext context) {
        ReadableConfig job = jobConfiguration(context);
        Duration interval = job != null ? interval(job) : null;
        return interval != null ? interval : interval(context.getConfiguration());
    }

    static Duration interval(ReadableConfig configuration) {
        return configuration
                .getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .filter(interval -> !interval.isZero() && !interval.isNegative())
                .orElse(null);
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
