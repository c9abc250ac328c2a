package io.github.flinksagemaker.examples;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands the connector's submit counters to the example's progress line. The job runs on a local
 * MiniCluster in the same JVM, so a metric reporter (configured like any Flink reporter) sees them.
 */
public final class ProgressReporter implements MetricReporter {
    private static final Map<Counter, String> COUNTERS = new ConcurrentHashMap<>();
    private static final Map<Gauge<?>, String> GAUGES = new ConcurrentHashMap<>();

    /** Counts of counters removed when their task ended or restarted, so totals never go back. */
    private static final Map<String, Long> RETIRED = new ConcurrentHashMap<>();

    /** Creates the reporter; listed in META-INF/services for Flink to find. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new ProgressReporter();
        }
    }

    /** The sum of every live counter with this name in the connector's metric group. */
    static long sum(String name) {
        return RETIRED.getOrDefault(name, 0L)
                + COUNTERS.entrySet().stream()
                        .filter(entry -> entry.getValue().equals(name))
                        .mapToLong(entry -> entry.getKey().getCount())
                        .sum();
    }

    /** The sum over live subtasks of the numeric gauge with this name, e.g. calls in flight. */
    static long gaugeSum(String name) {
        return GAUGES.entrySet().stream()
                .filter(entry -> entry.getValue().equals(name))
                .map(entry -> entry.getKey().getValue())
                .filter(Number.class::isInstance)
                .mapToLong(value -> ((Number) value).longValue())
                .sum();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (!group.getMetricIdentifier(name).contains("sagemakerAsync")) {
            return;
        }
        if (metric instanceof Counter) {
            COUNTERS.put((Counter) metric, name);
        } else if (metric instanceof Gauge) {
            GAUGES.put((Gauge<?>) metric, name);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Gauge) {
            GAUGES.remove(metric);
        }
        if (metric instanceof Counter && COUNTERS.remove(metric) != null) {
            RETIRED.merge(name, ((Counter) metric).getCount(), Long::sum);
        }
    }
}
