package io.github.flinksagemaker.connector.completion;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Tells a result source's enumerator that no element will need another result: the join's input has
 * ended and nothing is pending in any of its subtasks. The enumerator then lets its readers finish,
 * so a job with bounded input finishes by itself.
 *
 * <p>It reaches the enumerator through Flink's coordinator store (as dynamic partition pruning
 * reaches its sources), not from a reader, so the subtask it comes with means nothing. It is never
 * checkpointed: after a restore the join reports again once it has caught up.
 */
@Internal
public final class NoMoreResultsEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    public static final NoMoreResultsEvent INSTANCE = new NoMoreResultsEvent();

    private NoMoreResultsEvent() {}

    private Object readResolve() {
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "NoMoreResultsEvent";
    }
}
