package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;

import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.MockOperatorCoordinatorContext;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.TestingOperatorCoordinator;
import org.apache.flink.runtime.source.event.SourceEventWrapper;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The result source ends once every join subtask has reported, once; a failed subtask's report is
 * forgotten; and a failure after the end restarts the whole job, so the source reads again.
 */
class ResultsEndCoordinatorTest {
    private static final String SOURCE = "results-source";

    private final MockOperatorCoordinatorContext context =
            new MockOperatorCoordinatorContext(new OperatorID(), 3);
    private final ResultsEndCoordinator coordinator = new ResultsEndCoordinator(context, SOURCE);
    private final TestingOperatorCoordinator source =
            new TestingOperatorCoordinator(new MockOperatorCoordinatorContext(new OperatorID(), 2));

    private List<OperatorEvent> received() {
        List<OperatorEvent> events = new ArrayList<>();
        for (OperatorEvent event = source.getNextReceivedOperatorEvent();
                event != null;
                event = source.getNextReceivedOperatorEvent()) {
            events.add(event);
        }
        return events;
    }

    private static boolean isEnd(OperatorEvent event) {
        return event instanceof SourceEventWrapper wrapper
                && wrapper.getSourceEvent() == NoMoreResultsEvent.INSTANCE;
    }

    @Test
    void theSourceEndsOnceEverySubtaskHasReportedAndOnlyOnce() {
        context.getCoordinatorStore().putIfAbsent(SOURCE, source);

        coordinator.handleEventFromOperator(0, 0, new JoinDrainedEvent());
        coordinator.handleEventFromOperator(2, 0, new JoinDrainedEvent());
        assertThat(received()).isEmpty();

        coordinator.handleEventFromOperator(1, 0, new JoinDrainedEvent());
        coordinator.handleEventFromOperator(1, 0, new JoinDrainedEvent());
        assertThat(received()).hasSize(1).allMatch(ResultsEndCoordinatorTest::isEnd);
    }

    @Test
    void aFailedSubtasksReportIsForgottenUntilItReportsAgain() {
        context.getCoordinatorStore().putIfAbsent(SOURCE, source);
        coordinator.handleEventFromOperator(0, 0, new JoinDrainedEvent());
        coordinator.handleEventFromOperator(1, 0, new JoinDrainedEvent());

        coordinator.executionAttemptFailed(1, 0, new RuntimeException("lost"));
        coordinator.handleEventFromOperator(2, 0, new JoinDrainedEvent());
        assertThat(received()).isEmpty();
        assertThat(context.isJobFailed()).as("nothing was sent yet").isFalse();

        coordinator.handleEventFromOperator(1, 1, new JoinDrainedEvent());
        assertThat(received()).hasSize(1);
    }

    @Test
    void aFailureAfterTheEndRestartsTheWholeJobAndAResetStartsAfresh() {
        context.getCoordinatorStore().putIfAbsent(SOURCE, source);
        for (int subtask = 0; subtask < 3; subtask++) {
            coordinator.handleEventFromOperator(subtask, 0, new JoinDrainedEvent());
        }
        assertThat(received()).hasSize(1);

        coordinator.subtaskReset(2, 7L);
        assertThat(context.isJobFailed()).isTrue();
        assertThat(context.getJobFailureReason()).hasMessageContaining("restarting the whole job");

        coordinator.resetToCheckpoint(7L, new byte[0]);
        for (int subtask = 0; subtask < 3; subtask++) {
            coordinator.handleEventFromOperator(subtask, 1, new JoinDrainedEvent());
        }
        assertThat(received()).as("ended again after the restart").hasSize(1);
    }

    @Test
    void anEndBeforeTheSourceStartedWaitsInTheStoreForIt() {
        for (int subtask = 0; subtask < 3; subtask++) {
            coordinator.handleEventFromOperator(subtask, 0, new JoinDrainedEvent());
        }
        assertThat(context.getCoordinatorStore().get(SOURCE))
                .isInstanceOfSatisfying(
                        SourceEventWrapper.class, wrapper -> assertThat(isEnd(wrapper)).isTrue());
    }
}
