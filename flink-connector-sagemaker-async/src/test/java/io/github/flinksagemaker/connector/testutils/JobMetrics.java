package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;

import java.util.List;
import java.util.Map;

/** Reads a job's metrics from an {@link InMemoryReporter} that retains them across restarts. */
public final class JobMetrics {
    private final InMemoryReporter reporter;
    private final JobID job;

    public JobMetrics(InMemoryReporter reporter, JobID job) {
        this.reporter = reporter;
        this.job = job;
    }

    /** The sum of every counter ending in {@code name} (all subtasks, all attempts). */
    public long counterSum(String name) {
        return matching(name).values().stream()
                .filter(Counter.class::isInstance)
                .mapToLong(metric -> ((Counter) metric).getCount())
                .sum();
    }

    /** The current values of every numeric gauge ending in {@code name}. */
    public List<Long> gauges(String name) {
        return matching(name).values().stream()
                .filter(Gauge.class::isInstance)
                .map(metric -> ((Gauge<?>) metric).getValue())
                .filter(Number.class::isInstance)
                .map(value -> ((Number) value).longValue())
                .toList();
    }

    private Map<String, Metric> matching(String name) {
        return reporter.findMetrics(job, name);
    }
}
