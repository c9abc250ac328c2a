package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.submit.PendingInference;

import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperatorFactory;

/**
 * Creates the {@link InferenceResultJoin} with its {@link ResultsEndCoordinator}, which ends the
 * result source registered under {@code resultSourceId} once the join's input ended and nothing is
 * pending.
 */
@Internal
public final class InferenceResultJoinFactory<E>
        extends AbstractStreamOperatorFactory<InferenceResult<E>>
        implements TwoInputStreamOperatorFactory<
                        PendingInference<E>, TaggedOutput, InferenceResult<E>>,
                CoordinatedOperatorFactory<InferenceResult<E>> {
    private static final long serialVersionUID = 1L;

    private final InferenceResultJoin<E> join;
    private final String resultSourceId;

    public InferenceResultJoinFactory(InferenceResultJoin<E> join, String resultSourceId) {
        this.join = join;
        this.resultSourceId = resultSourceId;
    }

    @Override
    public <T extends StreamOperator<InferenceResult<E>>> T createStreamOperator(
            StreamOperatorParameters<InferenceResult<E>> parameters) {
        OperatorID operatorId = parameters.getStreamConfig().getOperatorID();
        join.reportEndTo(
                parameters.getOperatorEventDispatcher().getOperatorEventGateway(operatorId));
        return SimpleOperatorFactory.of(join).createStreamOperator(parameters);
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(
            String operatorName, OperatorID operatorId) {
        return new ResultsEndCoordinator.Provider(operatorId, resultSourceId);
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return InferenceResultJoin.class;
    }
}
