package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hands discovered objects to readers that asked for them, a batch at a time, in discovery order;
 * objects a failed reader gives back go first. Runs in the coordinator thread.
 */
@Internal
final class SplitAssigner {
    private final SplitEnumeratorContext<ResultObjectSplit> context;
    private final int splitsPerRequest;
    private final Deque<ResultObjectSplit> unassigned = new ArrayDeque<>();
    private final Set<Integer> waitingReaders = new LinkedHashSet<>();
    private boolean noMoreSplits;
    private boolean stopped;

    SplitAssigner(
            SplitEnumeratorContext<ResultObjectSplit> context,
            int splitsPerRequest,
            Collection<ResultObjectSplit> restored) {
        this.context = context;
        this.splitsPerRequest = splitsPerRequest;
        unassigned.addAll(restored);
    }

    void add(ResultObjectSplit split) {
        unassigned.addLast(split);
    }

    void addBack(List<ResultObjectSplit> splits) {
        for (int i = splits.size() - 1; i >= 0; i--) {
            unassigned.addFirst(splits.get(i));
        }
    }

    void requestFrom(int subtaskId) {
        waitingReaders.add(subtaskId);
    }

    /** After this, readers that ask and find nothing left are told there will be no more. */
    void noMoreSplits() {
        noMoreSplits = true;
    }

    /**
     * After this, nothing more is assigned, even what is left: every reader that asks is told there
     * will be no more. What is left stays in {@link #unassigned}, for the checkpoint.
     */
    void stopAssigning() {
        stopped = true;
        noMoreSplits = true;
    }

    int unassignedCount() {
        return unassigned.size();
    }

    List<ResultObjectSplit> unassigned() {
        return new ArrayList<>(unassigned);
    }

    void assignToWaitingReaders() {
        Iterator<Integer> readers = waitingReaders.iterator();
        while (readers.hasNext()) {
            int reader = readers.next();
            if (!context.registeredReaders().containsKey(reader)) {
                readers.remove();
                continue;
            }
            if (!stopped && !unassigned.isEmpty()) {
                List<ResultObjectSplit> batch = new ArrayList<>();
                while (batch.size() < splitsPerRequest && !unassigned.isEmpty()) {
                    batch.add(unassigned.pollFirst());
                }
                context.assignSplits(new SplitsAssignment<>(Map.of(reader, batch)));
                readers.remove();
            } else if (noMoreSplits) {
                context.signalNoMoreSplits(reader);
                readers.remove();
            }
        }
    }
}
