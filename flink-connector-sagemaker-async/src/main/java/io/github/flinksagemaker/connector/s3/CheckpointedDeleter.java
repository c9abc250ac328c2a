package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Deletes S3 objects only once a checkpoint that covers their use has completed, so that no restore
 * can need them again: objects added before checkpoint N are deleted when N completes, with one
 * DeleteObjects request per 1,000 keys. Failed deletes are logged; the objects stay.
 */
@Internal
public final class CheckpointedDeleter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointedDeleter.class);
    private static final int MAX_KEYS_PER_REQUEST = 1000;

    private final S3ObjectStore store;
    private final LongConsumer onDeleted;
    private List<S3Location> sinceSnapshot = new ArrayList<>();
    private final TreeMap<Long, List<S3Location>> byCheckpoint = new TreeMap<>();

    /**
     * @param onDeleted told how many objects each successful request deleted
     */
    public CheckpointedDeleter(S3ObjectStore store, LongConsumer onDeleted) {
        this.store = store;
        this.onDeleted = onDeleted;
    }

    public void add(S3Location location) {
        sinceSnapshot.add(location);
    }

    /** Call from snapshotState: what was added so far waits for this checkpoint. */
    public void snapshot(long checkpointId) {
        if (!sinceSnapshot.isEmpty()) {
            byCheckpoint.put(checkpointId, sinceSnapshot);
            sinceSnapshot = new ArrayList<>();
        }
    }

    /** Call from notifyCheckpointComplete: deletes everything this checkpoint covers. */
    public void checkpointComplete(long checkpointId) {
        NavigableMap<Long, List<S3Location>> covered = byCheckpoint.headMap(checkpointId, true);
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

    private void delete(String bucket, List<String> keys) {
        for (int from = 0; from < keys.size(); from += MAX_KEYS_PER_REQUEST) {
            List<String> chunk =
                    new ArrayList<>(
                            keys.subList(from, Math.min(keys.size(), from + MAX_KEYS_PER_REQUEST)));
            store.deleteObjects(bucket, chunk)
                    .whenComplete(
                            (ok, error) -> {
                                if (error != null) {
                                    LOG.warn(
                                            "Deleting {} consumed objects in bucket {} failed;"
                                                    + " they stay in S3",
                                            chunk.size(),
                                            bucket,
                                            error);
                                } else {
                                    onDeleted.accept(chunk.size());
                                }
                            });
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
