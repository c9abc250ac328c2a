package io.github.flinksagemaker.connector.notification.enumerator;

import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;

import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reader polls the queue exactly once, across failures, restores and rescaling, until no more
 * results are needed.
 */
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

    /**
     * The event comes from the join's coordinator as subtask 0: every reader, also one registering
     * later or coming back from a failover, is told to finish, and no split is assigned any more.
     */
    @Test
    void noMoreResultsTellsEveryReaderNowAndLaterToFinishAndAssignsNothingMore() throws Exception {
        MockSplitEnumeratorContext<QueueSplit> context = new MockSplitEnumeratorContext<>(3);
        QueueSplitEnumerator enumerator = new QueueSplitEnumerator(context, null);
        register(context, enumerator, 0);
        register(context, enumerator, 1);

        enumerator.handleSourceEvent(0, NoMoreResultsEvent.INSTANCE);

        assertThat(context.hasNoMoreSplits(0)).isTrue();
        assertThat(context.hasNoMoreSplits(1)).isTrue();
        assertThat(context.getSentSourceEvent())
                .containsEntry(0, List.of(NoMoreResultsEvent.INSTANCE))
                .containsEntry(1, List.of(NoMoreResultsEvent.INSTANCE));

        register(context, enumerator, 2);
        context.unregisterReader(1);
        enumerator.addSplitsBack(List.of(new QueueSplit(1)), 1);
        register(context, enumerator, 1);

        assertThat(context.getSplitsAssignmentSequence()).as("only the first two").hasSize(2);
        assertThat(context.hasNoMoreSplits(2)).isTrue();
        assertThat(context.getSentSourceEvent())
                .containsEntry(2, List.of(NoMoreResultsEvent.INSTANCE))
                .containsEntry(
                        1, List.of(NoMoreResultsEvent.INSTANCE, NoMoreResultsEvent.INSTANCE));
        assertThat(enumerator.snapshotState(1))
                .as("the state keeps what was not assigned, in the same format")
                .isEqualTo(QueueEnumeratorState.of(3, Set.of(1, 2)));

        enumerator.handleSourceEvent(0, NoMoreResultsEvent.INSTANCE);
        assertThat(context.getSentSourceEvent().get(0)).as("told once").hasSize(1);
    }

    @Test
    void otherSourceEventsChangeNothing() throws Exception {
        MockSplitEnumeratorContext<QueueSplit> context = new MockSplitEnumeratorContext<>(2);
        QueueSplitEnumerator enumerator = new QueueSplitEnumerator(context, null);
        register(context, enumerator, 0);

        enumerator.handleSourceEvent(0, new SourceEvent() {});
        register(context, enumerator, 1);

        assertThat(context.hasNoMoreSplits(0)).isFalse();
        assertThat(context.hasNoMoreSplits(1)).isFalse();
        assertThat(context.getSentSourceEvent()).isEmpty();
        assertThat(context.getSplitsAssignmentSequence()).hasSize(2);
    }

    private static void register(
            MockSplitEnumeratorContext<QueueSplit> context,
            QueueSplitEnumerator enumerator,
            int subtask) {
        context.registerReader(new ReaderInfo(subtask, "host-" + subtask));
        enumerator.addReader(subtask);
    }
}
