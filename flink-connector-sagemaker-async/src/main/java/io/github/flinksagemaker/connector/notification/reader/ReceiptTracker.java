package io.github.flinksagemaker.connector.notification.reader;

import org.apache.flink.annotation.Internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The receipt handles of emitted messages, grouped by the checkpoint that covers their emission: a
 * message may be deleted once that checkpoint completes, never before (a restore to an earlier
 * checkpoint needs it again). Handles are not checkpointed: after a failover the queue delivers the
 * undeleted messages again once their visibility timeout passes. Used by the reader's mailbox
 * thread only.
 */
@Internal
final class ReceiptTracker {
    private List<String> sinceLastSnapshot = new ArrayList<>();
    private final NavigableMap<Long, List<String>> byCheckpoint = new TreeMap<>();

    /** Handles held, for the metric reporter's thread. */
    private volatile int held;

    void emitted(String receiptHandle) {
        sinceLastSnapshot.add(receiptHandle);
        held++;
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
        held -= handles.size();
        return handles;
    }

    /** Every handle not yet taken, for jobs that delete on emission. */
    List<String> takeAll() {
        List<String> handles = sinceLastSnapshot;
        sinceLastSnapshot = new ArrayList<>();
        byCheckpoint.values().forEach(handles::addAll);
        byCheckpoint.clear();
        held = 0;
        return handles;
    }

    /** Handles emitted and not yet deleted. */
    int held() {
        return sinceLastSnapshot.size() + byCheckpoint.values().stream().mapToInt(List::size).sum();
    }
}
