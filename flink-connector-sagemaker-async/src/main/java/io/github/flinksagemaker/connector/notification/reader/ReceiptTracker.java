package io.github.flinksagemaker.connector.notification.reader;

import org.apache.flink.annotation.Internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receipt handles of messages handed to the reader and not yet deleted: those waiting for
 * emission, and emitted ones grouped by the checkpoint that covers their emission. A message may be
 * deleted once that checkpoint completes, never before (a restore to an earlier checkpoint needs it
 * again). Handles are not checkpointed: what a closing reader still holds is released to the queue,
 * and what it could not release comes back after its visibility timeout.
 *
 * <p>{@link #received} is called by the fetcher thread, {@link #held} by any thread; the rest by
 * the reader's mailbox thread.
 */
@Internal
final class ReceiptTracker {
    private final Set<String> awaitingEmission = ConcurrentHashMap.newKeySet();
    private List<String> sinceLastSnapshot = new ArrayList<>();
    private final NavigableMap<Long, List<String>> byCheckpoint = new TreeMap<>();
    private final AtomicInteger held = new AtomicInteger();

    /** A message handed to the reader, to be emitted. */
    void received(String receiptHandle) {
        if (awaitingEmission.add(receiptHandle)) {
            held.incrementAndGet();
        }
    }

    void emitted(String receiptHandle) {
        if (!awaitingEmission.remove(receiptHandle)) {
            held.incrementAndGet();
        }
        sinceLastSnapshot.add(receiptHandle);
    }

    void snapshot(long checkpointId) {
        if (!sinceLastSnapshot.isEmpty()) {
            byCheckpoint.put(checkpointId, sinceLastSnapshot);
            sinceLastSnapshot = new ArrayList<>();
        }
    }

    /** The handles covered by {@code checkpointId} and every earlier checkpoint, taken out. */
    List<String> checkpointComplete(long checkpointId) {
        Map<Long, List<String>> covered = byCheckpoint.headMap(checkpointId, true);
        List<String> handles = new ArrayList<>();
        covered.values().forEach(handles::addAll);
        covered.clear();
        held.addAndGet(-handles.size());
        return handles;
    }

    /** Every emitted handle not yet taken, for jobs that delete on emission. */
    List<String> takeEmitted() {
        List<String> handles = sinceLastSnapshot;
        sinceLastSnapshot = new ArrayList<>();
        byCheckpoint.values().forEach(handles::addAll);
        byCheckpoint.clear();
        held.addAndGet(-handles.size());
        return handles;
    }

    /**
     * Every handle no checkpoint known to have completed covers, taken out: received and not
     * emitted, or emitted after the last checkpoint whose completion was notified. A restarted job
     * needs these messages again (a checkpoint may have completed without the notice arriving: then
     * a few come back as second copies).
     */
    List<String> takeUncovered() {
        List<String> handles = new ArrayList<>(awaitingEmission);
        awaitingEmission.clear();
        handles.addAll(takeEmitted());
        held.set(0);
        return handles;
    }

    /** Handles received and not yet taken for deletion. */
    int held() {
        return held.get();
    }
}
