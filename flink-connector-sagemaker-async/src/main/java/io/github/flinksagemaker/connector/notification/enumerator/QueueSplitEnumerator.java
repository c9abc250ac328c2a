package io.github.flinksagemaker.connector.notification.enumerator;

import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Gives each reader its share of the queue: split {@code i} goes to subtask {@code i % parallelism}
 * when that reader registers, and back to the pool when the reader fails. A job restored with a
 * higher parallelism gets splits for the new readers; with a lower one, a reader polls once for all
 * its splits.
 *
 * <p>Queue splits never finish by themselves, so the source ends only on a {@link
 * NoMoreResultsEvent} (a job whose bounded input is done): every reader, also one that registers
 * later (after a failover), is told that no splits will come and to finish the ones it has, and
 * nothing is assigned any more. Whether the event came is not checkpointed (the join reports again
 * after a restore), so the state format stays as it is.
 */
@Internal
public final class QueueSplitEnumerator
        implements SplitEnumerator<QueueSplit, QueueEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(QueueSplitEnumerator.class);

    private final SplitEnumeratorContext<QueueSplit> context;
    private final int splitCount;
    private final TreeSet<Integer> unassigned;

    /** Set by {@link NoMoreResultsEvent}: readers are told to finish, nothing more is assigned. */
    private boolean noMoreResults;

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
        if (noMoreResults) {
            // A reader back from a failover may hold restored splits: they must finish too.
            tellToFinish(subtaskId);
            return;
        }
        assignTo(subtaskId);
    }

    /**
     * Ends the source on {@link NoMoreResultsEvent}, which comes from the join's coordinator (the
     * subtask means nothing); other events are ignored, as before.
     */
    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (!(event instanceof NoMoreResultsEvent) || noMoreResults) {
            return;
        }
        noMoreResults = true;
        LOG.info(
                "No more results are needed: the {} SQS readers finish once what they received is"
                        + " emitted",
                context.registeredReaders().size());
        for (int reader : context.registeredReaders().keySet()) {
            tellToFinish(reader);
        }
    }

    /**
     * No split will come, and the queue split the reader has never ends by itself: the event makes
     * the reader finish it once what it received is emitted.
     */
    private void tellToFinish(int subtaskId) {
        context.signalNoMoreSplits(subtaskId);
        context.sendEventToSourceReader(subtaskId, NoMoreResultsEvent.INSTANCE);
    }

    private void assignTo(int subtaskId) {
        if (noMoreResults) {
            return; // the splits stay unassigned; the readers are finishing
        }
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
