package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.scope.ScopeFormat;
import org.apache.flink.runtime.testutils.InMemoryReporter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a job's metrics from an {@link InMemoryReporter} that retains them across restarts.
 *
 * <p>A name matches whole trailing components of a metric's identifier, never part of one: {@code
 * sagemakerAsync.submitted} is not {@code sagemakerAsync.submittedInline}. A metric whose own name
 * has dots (Flink's changelog metrics, such as {@code
 * ChangelogMaterialization.completedMaterialization}) matches only with its whole name. Where
 * several operators register the same name, {@link #ofOperator} narrows to the one meant.
 *
 * <p>Attempts of a subtask that report under one identifier (restarted on the same TaskManager)
 * count once, with the latest attempt's metric. A real reporter shows that too: an attempt's
 * metrics go when it ends, and the identifier then names the next attempt's. Summing them would
 * count work that a restart replays twice; failing would make any test with a restart unreadable.
 * Identifiers that differ (other subtasks, or another TaskManager) are summed, as distinct series.
 */
public final class JobMetrics {
    private final InMemoryReporter reporter;
    private final JobID job;

    /** The exact operator name to read from, or null for every operator. */
    private final String operatorName;

    public JobMetrics(InMemoryReporter reporter, JobID job) {
        this(reporter, job, null);
    }

    private JobMetrics(InMemoryReporter reporter, JobID job, String operatorName) {
        this.reporter = reporter;
        this.job = job;
        this.operatorName = operatorName;
    }

    /** The same metrics, of the operator named exactly {@code operatorName} only. */
    public JobMetrics ofOperator(String operatorName) {
        return new JobMetrics(reporter, job, Objects.requireNonNull(operatorName));
    }

    /** The sum of the counters named {@code name}, over subtasks, each at its latest attempt. */
    public long counterSum(String name) {
        return latest(name).stream()
                .filter(Counter.class::isInstance)
                .mapToLong(metric -> ((Counter) metric).getCount())
                .sum();
    }

    /** The current values of the numeric gauges named {@code name}, at their latest attempts. */
    public List<Long> gauges(String name) {
        return latest(name).stream()
                .filter(Gauge.class::isInstance)
                .map(metric -> ((Gauge<?>) metric).getValue())
                .filter(Number.class::isInstance)
                .map(value -> ((Number) value).longValue())
                .toList();
    }

    /** What the identifier was registered with at its latest attempt. */
    private record Latest(int attempt, List<Metric> metrics) {}

    private List<Metric> latest(String name) {
        List<String> components = Arrays.asList(name.split("\\."));
        Map<String, Latest> byIdentifier = new HashMap<>();
        reporter.getMetricsByGroup()
                .forEach(
                        (group, metrics) -> {
                            // A metric's own name may have dots (Flink's changelog metrics do).
                            for (int split = components.size() - 1; split >= 0; split--) {
                                String metricName =
                                        String.join(
                                                ".", components.subList(split, components.size()));
                                Metric metric = metrics.get(metricName);
                                if (metric == null
                                        || !isMeant(group, components.subList(0, split))) {
                                    continue;
                                }
                                byIdentifier.merge(
                                        group.getMetricIdentifier(metricName),
                                        new Latest(attempt(group), List.of(metric)),
                                        JobMetrics::later);
                                break;
                            }
                        });
        List<Metric> latest = new ArrayList<>();
        byIdentifier.values().forEach(entry -> latest.addAll(entry.metrics()));
        return latest;
    }

    /**
     * The later attempt's; both when from the same attempt, for then they are distinct operators
     * that happen to share a name.
     */
    private static Latest later(Latest one, Latest other) {
        if (one.attempt() != other.attempt()) {
            return one.attempt() > other.attempt() ? one : other;
        }
        List<Metric> both = new ArrayList<>(one.metrics());
        both.addAll(other.metrics());
        return new Latest(one.attempt(), both);
    }

    private boolean isMeant(MetricGroup group, List<String> groups) {
        Map<String, String> variables = group.getAllVariables();
        if (!job.toString().equals(variables.get(ScopeFormat.SCOPE_JOB_ID))) {
            return false;
        }
        if (operatorName != null
                && !operatorName.equals(variables.get(ScopeFormat.SCOPE_OPERATOR_NAME))) {
            return false;
        }
        String[] scope = group.getScopeComponents();
        return scope.length >= groups.size()
                && Arrays.asList(scope)
                        .subList(scope.length - groups.size(), scope.length)
                        .equals(groups);
    }

    /** The task attempt the group belongs to; -1 for metrics outside tasks (JobManager). */
    private static int attempt(MetricGroup group) {
        String attempt = group.getAllVariables().get(ScopeFormat.SCOPE_TASK_ATTEMPT_NUM);
        return attempt == null ? -1 : Integer.parseInt(attempt);
    }
}
