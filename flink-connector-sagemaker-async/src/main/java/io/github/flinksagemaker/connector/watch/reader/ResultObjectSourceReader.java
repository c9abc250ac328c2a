package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.s3.CheckpointedDeleter;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplitState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Asks the enumerator for result objects whenever it has none left, and, when configured, deletes
 * emitted objects once the checkpoint that covers their emission completes: an object is deleted
 * only when no restore can need it again. Its checkpoint holds only splits whose object was not
 * emitted yet. One S3 store serves the reader for its whole life, whatever split readers come and
 * go.
 */
@Internal
public final class ResultObjectSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<
                FetchedObject, T, ResultObjectSplit, ResultObjectSplitState> {
    private final S3ObjectStore store;

    /** Deletes consumed objects after their checkpoint, or null when they are kept. */
    private final CheckpointedDeleter deleter;

    /**
     * Ask for more objects while this many or fewer are still assigned, not only when none are: an
     * answer takes a round trip through the coordinator, and listed objects wait unassigned
     * meanwhile (seconds under load, when a batch is read faster than a request is answered).
     */
    private final int requestAtOrBelow;

    /** Whether a request is unanswered; the next assignment answers it. */
    private boolean requestPending;

    /**
     * @param store read by every split reader of this reader; closed with it
     * @param deleteConsumed whether to delete emitted objects after their checkpoint
     */
    public ResultObjectSourceReader(
            S3ObjectStore store,
            int maxContentBytes,
            int fetchConcurrency,
            ByteBudget budget,
            RecordEmitter<FetchedObject, T, ResultObjectSplitState> emitter,
            SourceReaderContext context,
            boolean deleteConsumed,
            int splitsPerRequest,
            ReaderMetrics metrics) {
        super(
                () ->
                        new ResultObjectSplitReader(
                                store, maxContentBytes, fetchConcurrency, budget, metrics),
                emitter,
                // The task's configuration, as Kafka's and Kinesis's readers pass it, so that
                // source.reader.element.queue.capacity and the close timeout can be tuned.
                context.getConfiguration(),
                context);
        this.store = store;
        this.requestAtOrBelow = splitsPerRequest / 2;
        this.deleter =
                deleteConsumed
                        ? new CheckpointedDeleter(
                                store,
                                new CheckpointedDeleter.Listener() {
                                    @Override
                                    public void deleted(int objects) {
                                        metrics.objectsDeleted.inc(objects);
                                    }

                                    @Override
                                    public void failed(int objects) {
                                        metrics.deleteFailures.inc(objects);
                                    }
                                })
                        : null;
    }

    @Override
    public void start() {
        requestSplitsIfRunningLow();
    }

    @Override
    public void addSplits(List<ResultObjectSplit> splits) {
        requestPending = false;
        super.addSplits(splits);
    }

    @Override
    protected void onSplitFinished(Map<String, ResultObjectSplitState> finished) {
        if (deleter != null) {
            finished.values().forEach(state -> deleter.add(state.split().location()));
        }
        requestSplitsIfRunningLow();
    }

    private void requestSplitsIfRunningLow() {
        if (!requestPending && getNumberOfCurrentlyAssignedSplits() <= requestAtOrBelow) {
            requestPending = true;
            context.sendSplitRequest();
        }
    }

    @Override
    public List<ResultObjectSplit> snapshotState(long checkpointId) {
        if (deleter != null) {
            try {
                deleter.snapshot(checkpointId);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot snapshot the pending deletes", e);
            }
        }
        // Emitted splits are still held until their fetch is drained: leave them out.
        return super.snapshotState(checkpointId).stream().filter(Objects::nonNull).toList();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        if (deleter != null) {
            deleter.checkpointComplete(checkpointId);
        }
    }

    @Override
    protected ResultObjectSplitState initializedState(ResultObjectSplit split) {
        return new ResultObjectSplitState(split);
    }

    /** An emitted split maps to null, which {@link #snapshotState} drops. */
    @Override
    protected ResultObjectSplit toSplitType(String splitId, ResultObjectSplitState state) {
        return state.isEmitted() ? null : state.split();
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            store.close();
        }
    }
}
