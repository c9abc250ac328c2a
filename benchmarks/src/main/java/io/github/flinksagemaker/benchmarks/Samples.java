package io.github.flinksagemaker.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Values measured in one run (latencies) or one value per run (throughputs); sorted on read. */
final class Samples {
    private final List<Double> values = new ArrayList<>();

    static Samples of(Collection<? extends Number> values) {
        Samples samples = new Samples();
        values.forEach(v -> samples.add(v.doubleValue()));
        return samples;
    }

    synchronized void add(double value) {
        values.add(value);
    }

    synchronized int size() {
        return values.size();
    }

    double median() {
        return percentile(50);
    }

    /** Nearest-rank percentile. */
    synchronized double percentile(double p) {
        if (values.isEmpty()) {
            throw new IllegalStateException("no samples");
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    synchronized double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    synchronized double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
