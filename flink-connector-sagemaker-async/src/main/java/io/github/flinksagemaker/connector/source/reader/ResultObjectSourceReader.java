package io.github.flinksagemaker.connector.source.reader;

import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.source.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Asks the enumerator for result objects whenever it has none left, and, when configured, deletes
 * emitted objects once the checkpoint that covers their emission completes: an object is deleted
 * only when no restore can need it again.
 */
@Internal
public final class ResultObjectSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<
                FetchedObject, T, ResultObjectSplit, ResultObjectSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ResultObjectSourceReader.class);
    private static final int MAX_KEYS_PER_DELETE = 1000;

    /** Deletes consumed objects, or null when consumed objects are kept. */
    private final S3ObjectStore deleter;

    private final ReaderMetrics metrics;
    private List<S3Location> emittedSinceSnapshot = new ArrayList<>();
    private final TreeMap<Long, List<S3Location>> emittedByCheckpoint = new TreeMap<>();

    public ResultObjectSourceReader(
            Supplier<SplitReader<FetchedObject, ResultObjectSplit>> splitReaders,
            RecordEmitter<FetchedObject, T, ResultObjectSplit> emitter,
            SourceReaderContext context,
            S3ObjectStore deleter,
            ReaderMetrics metrics) {
        super(splitReaders, emitter, new Configuration(), context);
        this.deleter = deleter;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, ResultObjectSplit> finished) {
        if (deleter != null) {
            finished.values().forEach(split -> emittedSinceSnapshot.add(split.location()));
        }
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    public List<ResultObjectSplit> snapshotState(long checkpointId) {
        if (deleter != null && !emittedSinceSnapshot.isEmpty()) {
            emittedByCheckpoint.put(checkpointId, emittedSinceSnapshot);
            emittedSinceSnapshot = new ArrayList<>();
        }
        return super.snapshotState(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (deleter == null) {
            return;
        }
        Map<String, List<String>> keysByBucket = new HashMap<>();
        Iterator<Map.Entry<Long, List<S3Location>>> covered =
                emittedByCheckpoint.headMap(checkpointId, true).entrySet().iterator();
        while (covered.hasNext()) {
            for (S3Location location : covered.next().getValue()) {
                keysByBucket
                        .computeIfAbsent(location.bucket(), b -> new ArrayList<>())
                        .add(location.key());
            }
            covered.remove();
        }
        keysByBucket.forEach(this::delete);
    }

    private void delete(String bucket, List<String> keys) {
        for (int from = 0; from < keys.size(); from += MAX_KEYS_PER_DELETE) {
            List<String> chunk =
                    keys.subList(from, Math.min(keys.size(), from + MAX_KEYS_PER_DELETE));
            int count = chunk.size();
            deleter.deleteObjects(bucket, new ArrayList<>(chunk))
                    .whenComplete(
                            (ok, error) -> {
                                if (error != null) {
                                    LOG.warn(
                                            "Deleting {} consumed result objects in bucket {}"
                                                    + " failed; they stay in S3",
                                            count,
                                            bucket,
                                            error);
                                } else {
                                    metrics.objectsDeleted.inc(count);
                                }
                            });
        }
    }

    @Override
    protected ResultObjectSplit initializedState(ResultObjectSplit split) {
        return split;
    }

    @Override
    protected ResultObjectSplit toSplitType(String splitId, ResultObjectSplit state) {
        return state;
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (deleter != null) {
                deleter.close();
            }
        }
    }
}
