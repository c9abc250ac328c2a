package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.scope.ScopeFormat;
import org.apache.flink.runtime.testutils.InMemoryReporter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ITCases assert exact totals through {@link JobMetrics}: one metric name is one metric, a
 * restart on the same TaskManager is not counted twice, and an operator can be singled out.
 */
class JobMetricsTest {
    private static final String TAGGER = "Tag results by location: e";
    private static final String JOIN = "Join results by inference ID: e";

    private final InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
    private final JobID job = new JobID();

    @AfterEach
    void closeReporter() {
        reporter.close();
    }

    @Test
    void aNameMatchesWholeComponentsNeverPartOfOne() {
        MetricGroup group = operatorGroup(job, JOIN, 0, 0, "tm-1");
        register(group, "submitted", 3);
        register(group, "submittedInline", 5);
        register(operatorGroup(new JobID(), JOIN, 0, 0, "tm-1"), "submitted", 100);

        JobMetrics metrics = new JobMetrics(reporter, job);

        assertThat(metrics.counterSum("sagemakerAsync.submitted")).isEqualTo(3);
        assertThat(metrics.counterSum("submittedInline")).isEqualTo(5);
        assertThat(metrics.counterSum("Async.submitted")).as("no partial component").isZero();
    }

    @Test
    void aMetricWhoseNameHasDotsMatchesByItsWholeName() {
        register(
                operatorGroup(job, JOIN, 0, 0, "tm-1"),
                "ChangelogMaterialization.completedMaterialization",
                2);
        register(
                operatorGroup(job, JOIN, 1, 0, "tm-1"),
                "ChangelogMaterialization.completedMaterialization",
                3);

        JobMetrics metrics = new JobMetrics(reporter, job);

        assertThat(metrics.counterSum("ChangelogMaterialization.completedMaterialization"))
                .isEqualTo(5);
        assertThat(
                        metrics.counterSum(
                                "sagemakerAsync.ChangelogMaterialization.completedMaterialization"))
                .isEqualTo(5);
        assertThat(metrics.counterSum("Materialization.completedMaterialization"))
                .as("no partial component")
                .isZero();
    }

    @Test
    void aRestartOnTheSameTaskManagerCountsOnlyTheLatestAttempt() {
        register(operatorGroup(job, JOIN, 0, 0, "tm-1"), "resultsSuccess", 7);
        register(operatorGroup(job, JOIN, 0, 2, "tm-1"), "resultsSuccess", 2);
        register(operatorGroup(job, JOIN, 0, 1, "tm-1"), "resultsSuccess", 5);
        register(operatorGroup(job, JOIN, 1, 0, "tm-1"), "resultsSuccess", 4);
        MetricGroup before = operatorGroup(job, JOIN, 1, 0, "tm-1");
        MetricGroup after = operatorGroup(job, JOIN, 1, 1, "tm-1");
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> 10L, "pending", before);
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> 1L, "pending", after);

        JobMetrics metrics = new JobMetrics(reporter, job);

        assertThat(metrics.counterSum("sagemakerAsync.resultsSuccess"))
                .as("subtask 0 at attempt 2, subtask 1 at attempt 0")
                .isEqualTo(2 + 4);
        assertThat(metrics.gauges("sagemakerAsync.pending")).containsExactly(1L);
    }

    @Test
    void ofOperatorReadsOnlyTheOperatorNamed() {
        register(operatorGroup(job, TAGGER, 0, 0, "tm-1"), "unmatchedOutputsDropped", 2);
        register(operatorGroup(job, JOIN, 0, 0, "tm-1"), "unmatchedOutputsDropped", 3);

        JobMetrics metrics = new JobMetrics(reporter, job);

        assertThat(metrics.ofOperator(TAGGER).counterSum("sagemakerAsync.unmatchedOutputsDropped"))
                .isEqualTo(2);
        assertThat(metrics.ofOperator("Tag results").counterSum("unmatchedOutputsDropped"))
                .as("the exact name only")
                .isZero();
        assertThat(metrics.counterSum("sagemakerAsync.unmatchedOutputsDropped")).isEqualTo(5);
    }

    private void register(MetricGroup group, String name, long count) {
        SimpleCounter counter = new SimpleCounter();
        counter.inc(count);
        reporter.notifyOfAddedMetric(counter, name, group);
    }

    /**
     * The {@code sagemakerAsync} group of one operator's subtask attempt, as a TaskManager has it.
     */
    private static MetricGroup operatorGroup(
            JobID job, String operator, int subtask, int attempt, String taskManager) {
        String[] scope = {
            "localhost",
            "taskmanager",
            taskManager,
            "job",
            operator,
            String.valueOf(subtask),
            "sagemakerAsync"
        };
        Map<String, String> variables =
                Map.of(
                        ScopeFormat.SCOPE_JOB_ID, job.toString(),
                        ScopeFormat.SCOPE_TASKMANAGER_ID, taskManager,
                        ScopeFormat.SCOPE_OPERATOR_NAME, operator,
                        ScopeFormat.SCOPE_TASK_SUBTASK_INDEX, String.valueOf(subtask),
                        ScopeFormat.SCOPE_TASK_ATTEMPT_NUM, String.valueOf(attempt));
        return new UnregisteredMetricsGroup() {
            @Override
            public String[] getScopeComponents() {
                return scope;
            }

            @Override
            public Map<String, String> getAllVariables() {
                return variables;
            }

            @Override
            public String getMetricIdentifier(String metricName) {
                return String.join(".", scope) + "." + metricName;
            }
        };
    }
}
