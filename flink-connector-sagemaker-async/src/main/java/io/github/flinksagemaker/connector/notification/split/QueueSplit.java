package io.github.flinksagemaker.connector.notification.split;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A reader's share of the queue: every reader polls the same queue, and SQS hands each message to
 * one of them. Splits exist so that each subtask polls exactly once; they carry no position (the
 * queue keeps what is not deleted) and so do not finish by themselves: only when the enumerator
 * says no more results are needed (a job with bounded input is done), see {@code
 * completion.NoMoreResultsEvent}.
 */
@Internal
public record QueueSplit(int index) implements SourceSplit {
    public QueueSplit {
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative, got " + index);
        }
    }

    @Override
    public String splitId() {
        return "queue-" + index;
    }
}
