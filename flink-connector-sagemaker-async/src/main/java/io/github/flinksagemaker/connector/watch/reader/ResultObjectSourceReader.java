package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.s3.CheckpointedDeleter;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;

import java.util.List;
import java.util.Map;
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
    /** Deletes consumed objects after their checkpoint, or null when they are kept. */
    private final CheckpointedDeleter deleter;

    public ResultObjectSourceReader(
            Supplier<SplitReader<FetchedObject, ResultObjectSplit>> splitReaders,
            RecordEmitter<FetchedObject, T, ResultObjectSplit> emitter,
            SourceReaderContext context,
            S3ObjectStore deleteStore,
            ReaderMetrics metrics) {
        super(splitReaders, emitter, new Configuration(), context);
        this.deleter =
                deleteStore == null
                        ? null
                        : new CheckpointedDeleter(deleteStore, metrics.objectsDeleted::inc);
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
            finished.values().forEach(split -> deleter.add(split.location()));
        }
        if (getNumberOfCurrentlyAssignedSplits() == 0) {
            context.sendSplitRequest();
        }
    }

    @Override
    public List<ResultObjectSplit> snapshotState(long checkpointId) {
        if (deleter != null) {
            deleter.snapshot(checkpointId);
        }
        return super.snapshotState(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (deleter != null) {
            deleter.checkpointComplete(checkpointId);
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
