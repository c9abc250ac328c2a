package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The enumerator's checkpoint: the start floor (objects last modified before it are ignored), the
 * state of each watched prefix by ID, and the objects discovered but not yet assigned. Objects
 * assigned to readers live in the readers' state until emitted.
 */
@Internal
public final class WatchEnumeratorState {
    private final long startFloorMillis;
    private final TreeMap<String, PrefixState> prefixes;
    private final List<ResultObjectSplit> unassigned;

    public WatchEnumeratorState(
            long startFloorMillis,
            Map<String, PrefixState> prefixes,
            List<ResultObjectSplit> unassigned) {
        this.startFloorMillis = startFloorMillis;
        this.prefixes = new TreeMap<>();
        prefixes.forEach((id, state) -> this.prefixes.put(id, state.copy()));
        this.unassigned = List.copyOf(unassigned);
    }

    public long startFloorMillis() {
        return startFloorMillis;
    }

    /** Prefix ID to state, sorted by ID; copies, safe to keep. */
    public Map<String, PrefixState> prefixes() {
        TreeMap<String, PrefixState> copy = new TreeMap<>();
        prefixes.forEach((id, state) -> copy.put(id, state.copy()));
        return copy;
    }

    public List<ResultObjectSplit> unassigned() {
        return unassigned;
    }

    /** Keys remembered across all prefixes: what bounds this state's size. */
    public int trackedKeys() {
        return prefixes.values().stream().mapToInt(PrefixState::keyCount).sum();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WatchEnumeratorState)) {
            return false;
        }
        WatchEnumeratorState that = (WatchEnumeratorState) o;
        return startFloorMillis == that.startFloorMillis
                && prefixes.equals(that.prefixes)
                && unassigned.equals(that.unassigned);
    }

    @Override
    public int hashCode() {
        return Objects.hash(startFloorMillis, prefixes, unassigned);
    }

    @Override
    public String toString() {
        return "WatchEnumeratorState{startFloor="
                + startFloorMillis
                + ", prefixes="
                + prefixes
                + ", unassigned="
                + unassigned.size()
                + '}';
    }
}
