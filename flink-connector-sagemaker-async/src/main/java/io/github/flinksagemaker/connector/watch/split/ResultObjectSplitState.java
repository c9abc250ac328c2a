package io.github.flinksagemaker.connector.watch.split;

import org.apache.flink.annotation.Internal;

/**
 * A reader's state of one assigned split: the split, and whether its object has been emitted. A
 * split stays with the reader until the whole fetch it came in is drained, so a checkpoint can fall
 * after its object was emitted; such a split must not be in the checkpoint, or a restore would emit
 * the object again.
 */
@Internal
public final class ResultObjectSplitState {
    private final ResultObjectSplit split;
    private boolean emitted;

    public ResultObjectSplitState(ResultObjectSplit split) {
        this.split = split;
    }

    public ResultObjectSplit split() {
        return split;
    }

    public boolean isEmitted() {
        return emitted;
    }

    public void markEmitted() {
        emitted = true;
    }
}
