package io.github.flinksagemaker.connector.notification.enumerator;

import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every reader polls the queue exactly once, across failures, restores and rescaling. */
class QueueSplitEnumeratorTest {

    @Test
    void givesEachRegisteringReaderItsOwnSplitOnce() throws Exception {
        MockSplitEnumeratorContext<QueueSplit> context = new MockSplitEnumeratorContext<>(3);
        QueueSplitEnumerator enumerator = new QueueSplitEnumerator(context, null);
        register(context, enumerator, 0);
        register(context, enumerator, 2);

        assertThat(context.getSplitsAssignmentSequence())
                .extracting(assignment -> assignment.assignment())
                .containsExactly(
                        java.util.Map.of(0, List.of(new QueueSplit(0))),
                        java.util.Map.of(2, List.of(new QueueSplit(2))));
        assertThat(enumerator.snapshotState(1)).isEqualTo(QueueEnumeratorState.of(3, Set.of(1)));

        enumerator.addReader(0);
        assertThat(context.getSplitsAssignmentSequence()).as("no second split").hasSize(2);
    }

    @Test
    void reassignsTheSplitOfAFailedReaderWhenItComesBack() throws Exception {
        MockSplitEnumeratorContext<QueueSplit> context = new MockSplitEnumeratorContext<>(2);
        QueueSplitEnumerator enumerator = new QueueSplitEnumerator(context, null);
        register(context, enumerator, 0);
        register(context, enumerator, 1);

        context.unregisterReader(1);
        enumerator.addSplitsBack(List.of(new QueueSplit(1)), 1);
        assertThat(enumerator.snapshotState(2)).isEqualTo(QueueEnumeratorState.of(2, Set.of(1)));
        register(context, enumerator, 1);

        assertThat(context.getSplitsAssignmentSequence()).hasSize(3);
        assertThat(context.getSplitsAssignmentSequence().get(2).assignment())
                .containsEntry(1, List.of(new QueueSplit(1)));
        assertThat(enumerator.snapshotState(3)).isEqualTo(QueueEnumeratorState.of(2, Set.of()));
    }

    @Test
    void aRestoreWithMoreReadersCreatesSplitsForTheNewOnes() throws Exception {
        MockSplitEnumeratorContext<QueueSplit> context = new MockSplitEnumeratorContext<>(3);
        QueueSplitEnumerator enumerator =
                new QueueSplitEnumerator(context, QueueEnumeratorState.of(2, Set.of()));
        register(context, enumerator, 0);
        register(context, enumerator, 2);

        assertThat(context.getSplitsAssignmentSequence())
                .extracting(assignment -> assignment.assignment())
                .containsExactly(java.util.Map.of(2, List.of(new QueueSplit(2))));
    }

    private static void register(
            MockSplitEnumeratorContext<QueueSplit> context,
            QueueSplitEnumerator enumerator,
            int subtask) {
        context.registerReader(new ReaderInfo(subtask, "host-" + subtask));
        enumerator.addReader(subtask);
    }
}
