package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Counts results by status and path and keeps latencies, for the progress line and summary. */
public final class RunSummary {
    private final Map<InferenceStatus, Map<String, Long>> counts =
            new EnumMap<>(InferenceStatus.class);
    private final List<Long> latencies = new ArrayList<>();
    private long total;

    synchronized void add(InferenceResult<?> result) {
        add(result.status(), result.path(), result.latencyMillis());
    }

    /** One result as its status, path (null when never submitted) and latency. */
    public synchronized void add(InferenceStatus status, SubmitPath path, long latencyMillis) {
        total++;
        counts.computeIfAbsent(status, s -> new TreeMap<>()).merge(pathName(path), 1L, Long::sum);
        if (status != InferenceStatus.REJECTED) {
            latencies.add(latencyMillis);
        }
    }

    public synchronized long total() {
        return total;
    }

    synchronized long completed(SubmitPath path) {
        return counts.values().stream()
                .mapToLong(byPath -> byPath.getOrDefault(pathName(path), 0L))
                .sum();
    }

    public synchronized long count(InferenceStatus status) {
        return counts.getOrDefault(status, Map.of()).values().stream()
                .mapToLong(Long::longValue)
                .sum();
    }

    /** The latency below which {@code percent} of non-rejected results fall, in ms. */
    public synchronized long percentile(double percent) {
        if (latencies.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    public synchronized void print(PrintStream out, ServiceRequests requests) {
        out.println();
        out.println("Summary");
        out.printf("  %-12s %8s %8s %8s %8s%n", "status", "INLINE", "S3", "none", "total");
        for (InferenceStatus status : InferenceStatus.values()) {
            Map<String, Long> byPath = counts.getOrDefault(status, Map.of());
            out.printf(
                    "  %-12s %8d %8d %8d %8d%n",
                    status,
                    byPath.getOrDefault("INLINE", 0L),
                    byPath.getOrDefault("S3", 0L),
                    byPath.getOrDefault("none", 0L),
                    count(status));
        }
        out.printf("  %-12s %35d%n", "all", total);
        out.printf(
                "  end-to-end latency   p50 %,d ms   p95 %,d ms   p99 %,d ms%n",
                percentile(50), percentile(95), percentile(99));
        if (requests != null && total > 0) {
            out.printf(
                    "  client requests per 1,000 inferences   SageMaker %,.0f   S3 %,.0f   SQS %,.0f%n",
                    requests.sageMaker() * 1000.0 / total,
                    requests.s3() * 1000.0 / total,
                    requests.sqs() * 1000.0 / total);
        } else {
            out.println(
                    "  client requests per 1,000 inferences   n/a (counted only on the embedded"
                            + " endpoint)");
        }
    }

    private static String pathName(SubmitPath path) {
        return path == null ? "none" : path.name();
    }
}
