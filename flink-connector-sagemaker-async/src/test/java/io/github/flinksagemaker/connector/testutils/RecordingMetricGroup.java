package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric group that keeps what is registered in it, by dotted name below it ({@code
 * sagemakerAsync.retries}), so that a unit test reads the very counters a class increments. A
 * counter asked for by name only is Flink's plain {@link SimpleCounter}, as in a real group, so a
 * class that stops choosing a thread-safe one is caught.
 */
public final class RecordingMetricGroup extends UnregisteredMetricsGroup
        implements OperatorMetricGroup {
    private final Map<String, Metric> registered;
    private final String prefix;

    public RecordingMetricGroup() {
        this(new ConcurrentHashMap<>(), "");
    }

    private RecordingMetricGroup(Map<String, Metric> registered, String prefix) {
        this.registered = registered;
        this.prefix = prefix;
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        return register(name, counter);
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        return register(name, gauge);
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
        return register(name, histogram);
    }

    @Override
    public MetricGroup addGroup(String name) {
        return new RecordingMetricGroup(registered, prefix + name + ".");
    }

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
        return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
    }

    /** The count of the counter registered as {@code name}, e.g. {@code sagemakerAsync.retries}. */
    public long count(String name) {
        Metric metric = registered.get(name);
        if (!(metric instanceof Counter)) {
            throw new AssertionError("No counter " + name + " among " + registered.keySet());
        }
        return ((Counter) metric).getCount();
    }

    /** The value of the gauge registered as {@code name}. */
    public Object gaugeValue(String name) {
        Metric metric = registered.get(name);
        if (!(metric instanceof Gauge)) {
            throw new AssertionError("No gauge " + name + " among " + registered.keySet());
        }
        return ((Gauge<?>) metric).getValue();
    }

    private <M extends Metric> M register(String name, M metric) {
        registered.put(prefix + name, metric);
        return metric;
    }
}
