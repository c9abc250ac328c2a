package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/** From a join subtask to its coordinator: its submissions ended and nothing is pending. */
@Internal
final class JoinDrainedEvent implements OperatorEvent {
    private static final long serialVersionUID = 1L;

    @Override
    public String toString() {
        return "JoinDrainedEvent";
    }
}
