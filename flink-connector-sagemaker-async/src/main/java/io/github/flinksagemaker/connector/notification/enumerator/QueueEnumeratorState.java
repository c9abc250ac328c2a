package io.github.flinksagemaker.connector.notification.enumerator;

import org.apache.flink.annotation.Internal;

import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** The queue splits that exist ({@code 0 .. splitCount - 1}) and those not assigned to a reader. */
@Internal
public record QueueEnumeratorState(int splitCount, SortedSet<Integer> unassigned) {
    public QueueEnumeratorState {
        if (splitCount < 0) {
            throw new IllegalArgumentException("splitCount must not be negative: " + splitCount);
        }
        unassigned = new TreeSet<>(Objects.requireNonNull(unassigned, "unassigned"));
        for (int index : unassigned) {
            if (index < 0 || index >= splitCount) {
                throw new IllegalArgumentException(
                        "unassigned split " + index + " is not below splitCount " + splitCount);
            }
        }
    }

    public static QueueEnumeratorState of(int splitCount, Set<Integer> unassigned) {
        return new QueueEnumeratorState(splitCount, new TreeSet<>(unassigned));
    }
}
