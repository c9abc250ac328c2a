package io.github.flinksagemaker.connector.notification.enumerator;

import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Gives each reader its share of the queue: split {@code i} goes to subtask {@code i % parallelism}
 * when that reader registers, and back to the pool when the reader fails. A job restored with a
 * higher parallelism gets splits for the new readers; with a lower one, a reader polls once for all
 * its splits.
 */
@Internal
public final class QueueSplitEnumerator
        implements SplitEnumerator<QueueSplit, QueueEnumeratorState> {
    private final SplitEnumeratorContext<QueueSplit> context;
    private final int splitCount;
    private final TreeSet<Integer> unassigned;

    public QueueSplitEnumerator(
            SplitEnumeratorContext<QueueSplit> context, QueueEnumeratorState restored) {
        this.context = context;
        int parallelism = context.currentParallelism();
        if (restored == null) {
            this.splitCount = parallelism;
            this.unassigned = new TreeSet<>();
            for (int i = 0; i < parallelism; i++) {
                unassigned.add(i);
            }
        } else {
            this.splitCount = Math.max(restored.splitCount(), parallelism);
            this.unassigned = new TreeSet<>(restored.unassigned());
            for (int i = restored.splitCount(); i < splitCount; i++) {
                unassigned.add(i);
            }
        }
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // Splits are pushed when a reader registers; they never finish.
    }

    @Override
    public void addSplitsBack(List<QueueSplit> splits, int subtaskId) {
        splits.forEach(split -> unassigned.add(split.index()));
        if (context.registeredReaders().containsKey(subtaskId)) {
            assignTo(subtaskId);
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assignTo(subtaskId);
    }

    private void assignTo(int subtaskId) {
        int parallelism = context.currentParallelism();
        List<QueueSplit> splits = new ArrayList<>();
        for (int index : unassigned) {
            if (index % parallelism == subtaskId) {
                splits.add(new QueueSplit(index));
            }
        }
        for (QueueSplit split : splits) {
            unassigned.remove(split.index());
            context.assignSplit(split, subtaskId);
        }
    }

    @Override
    public QueueEnumeratorState snapshotState(long checkpointId) {
        return QueueEnumeratorState.of(splitCount, unassigned);
    }

    @Override
    public void close() {}
}
