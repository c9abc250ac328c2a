package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;

import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.source.event.SourceEventWrapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * The join's coordinator, which ends the result source once no element will need a result: when
 * every join subtask has reported that its submissions ended with nothing pending. Without it a job
 * with bounded input would never finish, because its result source cannot know when to stop.
 *
 * <p>The end reaches the source's enumerator as a {@link NoMoreResultsEvent} through Flink's
 * coordinator store, under the ID the source was registered with ({@code
 * SourceTransformation#setCoordinatorListeningID}), as dynamic partition pruning reaches its
 * sources. Nothing here is checkpointed: a failed or reset subtask reports again once it has caught
 * up, and a source that ended too early for a restored join leaves its inferences to the join's own
 * looks at their locations, so no result is lost.
 */
@Internal
final class ResultsEndCoordinator implements OperatorCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsEndCoordinator.class);

    private final Context context;
    private final String resultSourceId;
    private final BitSet drained = new BitSet();
    private boolean sent;

    ResultsEndCoordinator(Context context, String resultSourceId) {
        this.context = context;
        this.resultSourceId = resultSourceId;
    }

    @Override
    public void start() {}

    @Override
    public void close() {}

    @Override
    public synchronized void handleEventFromOperator(
            int subtask, int attemptNumber, OperatorEvent event) {
        if (!(event instanceof JoinDrainedEvent)) {
            throw new IllegalArgumentException("Unexpected event from the join: " + event);
        }
        drained.set(subtask);
        if (!sent && drained.cardinality() == context.currentParallelism()) {
            sent = true;
            LOG.info(
                    "Every join subtask's input ended with nothing pending; ending the result"
                            + " source '{}'",
                    resultSourceId);
            endResultSource();
        }
    }

    private void endResultSource() {
        SourceEventWrapper end = new SourceEventWrapper(NoMoreResultsEvent.INSTANCE);
        context.getCoordinatorStore()
                .compute(
                        resultSourceId,
                        (id, source) -> {
                            if (source instanceof OperatorCoordinator coordinator) {
                                try {
                                    // The source hands it to its enumerator on its own thread.
                                    coordinator.handleEventFromOperator(0, 0, end);
                                } catch (Exception e) {
                                    context.failJob(e);
                                }
                                return source;
                            }
                            // Not started yet: it takes the event from the store when it starts.
                            return end;
                        });
    }

    @Override
    public void checkpointCoordinator(long checkpointId, CompletableFuture<byte[]> result) {
        result.complete(new byte[0]);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {}

    @Override
    public synchronized void resetToCheckpoint(long checkpointId, byte[] checkpointData) {
        drained.clear();
        sent = false;
    }

    @Override
    public synchronized void subtaskReset(int subtask, long checkpointId) {
        drained.clear(subtask);
    }

    @Override
    public synchronized void executionAttemptFailed(
            int subtask, int attemptNumber, Throwable reason) {
        drained.clear(subtask);
    }

    @Override
    public void executionAttemptReady(int subtask, int attemptNumber, SubtaskGateway gateway) {}

    /** Creates the coordinator of one join operator. */
    static final class Provider implements OperatorCoordinator.Provider {
        private static final long serialVersionUID = 1L;

        private final OperatorID operatorId;
        private final String resultSourceId;

        Provider(OperatorID operatorId, String resultSourceId) {
            this.operatorId = operatorId;
            this.resultSourceId = resultSourceId;
        }

        @Override
        public OperatorID getOperatorId() {
            return operatorId;
        }

        @Override
        public OperatorCoordinator create(Context context) {
            return new ResultsEndCoordinator(context, resultSourceId);
        }
    }
}
