package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;

import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.source.event.SourceEventWrapper;
import org.apache.flink.util.FlinkException;

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
 * up. A failure after the end was sent restarts the whole job: a restart of the failed tasks alone
 * would keep the source's enumerator, which would end the restarted readers at once and leave the
 * restored join's inferences to its slower looks at their locations.
 */
@Internal
final class ResultsEndCoordinator implements OperatorCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsEndCoordinator.class);

    private final Context context;
    private final String resultSourceId;
    private final BitSet drained = new BitSet();
    private boolean sent;
    private boolean restartRequested;

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
        restartRequested = false;
    }

    @Override
    public synchronized void subtaskReset(int subtask, long checkpointId) {
        forget(subtask);
    }

    @Override
    public synchronized void executionAttemptFailed(
            int subtask, int attemptNumber, Throwable reason) {
        forget(subtask);
    }

    private void forget(int subtask) {
        drained.clear(subtask);
        if (sent && !restartRequested) {
            restartRequested = true;
            context.failJob(
                    new FlinkException(
                            "A join subtask failed after the result source was ended; restarting"
                                    + " the whole job so that the result source reads again"));
        }
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
