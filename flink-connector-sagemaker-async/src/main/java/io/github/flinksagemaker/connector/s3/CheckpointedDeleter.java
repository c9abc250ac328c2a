package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeutils.base.StringSerializer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes S3 objects only once a checkpoint that covers their use has completed, so that no restore
 * can need them again: objects added before checkpoint N are deleted when N completes, with one
 * DeleteObjects request per 1,000 keys. Deletes still waiting are kept in operator state, so a
 * failure between a checkpoint and its completion does not leave them behind: after a restore they
 * run at the next completed checkpoint. Keys S3 reports it could not delete are counted as failed,
 * never as deleted, and logged once per request; the objects stay.
 */
@Internal
public final class CheckpointedDeleter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointedDeleter.class);
    private static final int MAX_KEYS_PER_REQUEST = 1000;

    /**
     * How long closing waits for deletes already sent: a job that finishes sends its last ones on
     * its final checkpoint, right before it closes, and closing the client would abort them.
     */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /** Told how deletes ended. */
    public interface Listener {
        void deleted(int objects);

        void failed(int objects);
    }

    private final S3ObjectStore store;
    private final Listener listener;
    private List<S3Location> sinceSnapshot = new ArrayList<>();
    private final TreeMap<Long, List<S3Location>> byCheckpoint = new TreeMap<>();
    private ListState<String> pendingState;
    private final int retainedCheckpoints;

    /** The newest completed checkpoints, at most {@link #retainedCheckpoints}, oldest first. */
    private final ArrayDeque<Long> retained = new ArrayDeque<>();

    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

    public CheckpointedDeleter(S3ObjectStore store, Listener listener) {
        this(store, listener, 1);
    }

    /**
     * @param retainedCheckpoints how many completed checkpoints the job keeps ({@code
     *     state.checkpoints.num-retained}): objects wait until the oldest of them covers their use,
     *     so that restoring any retained checkpoint still finds them
     */
    public CheckpointedDeleter(S3ObjectStore store, Listener listener, int retainedCheckpoints) {
        this.store = store;
        this.listener = listener;
        this.retainedCheckpoints = Math.max(1, retainedCheckpoints);
    }

    /**
     * Call from initializeState. Deletes restored here were covered by the checkpoint the job
     * restored from; they run when the next checkpoint completes.
     */
    public void initializeState(OperatorStateStore stateStore, String stateName) throws Exception {
        pendingState =
                stateStore.getListState(
                        new ListStateDescriptor<>(stateName, StringSerializer.INSTANCE));
        List<S3Location> restored = new ArrayList<>();
        for (String location : pendingState.get()) {
            restored.add(S3Location.parse(location, "A pending delete in state"));
        }
        if (!restored.isEmpty()) {
            byCheckpoint.put(Long.MIN_VALUE, restored);
        }
    }

    public void add(S3Location location) {
        sinceSnapshot.add(location);
    }

    /** Call from snapshotState: what was added so far waits for this checkpoint. */
    public void snapshot(long checkpointId) throws Exception {
        if (!sinceSnapshot.isEmpty()) {
            byCheckpoint.put(checkpointId, sinceSnapshot);
            sinceSnapshot = new ArrayList<>();
        }
        if (pendingState != null) {
            List<String> pending = new ArrayList<>();
            byCheckpoint.values().forEach(list -> list.forEach(l -> pending.add(l.toString())));
            pendingState.update(pending);
        }
    }

    /**
     * Call from notifyCheckpointComplete: deletes everything the oldest retained checkpoint covers
     * (with one retained checkpoint, this one).
     */
    public void checkpointComplete(long checkpointId) {
        retained.addLast(checkpointId);
        while (retained.size() > retainedCheckpoints) {
            retained.removeFirst();
        }
        if (retained.size() < retainedCheckpoints) {
            return;
        }
        NavigableMap<Long, List<S3Location>> covered =
                byCheckpoint.headMap(retained.peekFirst(), true);
        Map<String, List<String>> keysByBucket = new HashMap<>();
        covered.values()
                .forEach(
                        locations ->
                                locations.forEach(
                                        location ->
                                                keysByBucket
                                                        .computeIfAbsent(
                                                                location.bucket(),
                                                                bucket -> new ArrayList<>())
                                                        .add(location.key())));
        covered.clear();
        keysByBucket.forEach(this::delete);
    }

    /** Objects waiting for a checkpoint to complete before they are deleted. */
    public int pending() {
        return sinceSnapshot.size() + byCheckpoint.values().stream().mapToInt(List::size).sum();
    }

    private void delete(String bucket, List<String> keys) {
        for (int from = 0; from < keys.size(); from += MAX_KEYS_PER_REQUEST) {
            List<String> chunk =
                    new ArrayList<>(
                            keys.subList(from, Math.min(keys.size(), from + MAX_KEYS_PER_REQUEST)));
            CompletableFuture<List<String>> delete = store.deleteObjects(bucket, chunk);
            inFlight.add(delete);
            delete.whenComplete((failedKeys, error) -> inFlight.remove(delete));
            delete.whenComplete(
                    (failedKeys, error) -> {
                        if (error != null) {
                            listener.failed(chunk.size());
                            LOG.warn(
                                    "Deleting {} consumed objects in bucket {} failed;"
                                            + " they stay in S3: {}",
                                    chunk.size(),
                                    bucket,
                                    error.toString());
                            return;
                        }
                        listener.deleted(chunk.size() - failedKeys.size());
                        if (!failedKeys.isEmpty()) {
                            listener.failed(failedKeys.size());
                            LOG.warn(
                                    "S3 could not delete {} of {} consumed objects in"
                                            + " bucket {} (first: {}); they stay in S3",
                                    failedKeys.size(),
                                    chunk.size(),
                                    bucket,
                                    failedKeys.get(0));
                        }
                    });
        }
    }

    @Override
    public void close() {
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Failures were counted and logged where they happened.
            if (e instanceof TimeoutException) {
                LOG.warn(
                        "{} delete requests still running after {}; their objects may stay in S3",
                        inFlight.size(),
                        CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }
}
