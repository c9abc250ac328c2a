package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What a checkpoint costs as pending inferences pile up: the one-call pipeline in SQS mode at a
 * steady rate against a model that takes an hour, so every inference stays pending, with
 * checkpoints every second. At given moments, the average of the last checkpoints' sizes (Flink's
 * own statistics, over REST), and the CPU of the checkpoint threads and of the whole JVM per
 * second; heap state against RocksDB with incremental checkpoints.
 */
final class CheckpointCostBenchmark {
    static final Duration MODEL_LATENCY = Duration.ofHours(1);
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /**
     * Checkpoints averaged before each moment: long enough that RocksDB's compactions, which
     * rewrite level 1 every few checkpoints, are in the average and not in one checkpoint.
     */
    static final Duration WINDOW = Duration.ofSeconds(15);

    /** Checkpoints and CPU over the few seconds before one moment. */
    record Point(
            long pending,
            double stateBytes,
            double checkpointedBytes,
            double durationMillis,
            double checkpointThreadsCpuMillis,
            double processCpuMillisPerSecond) {}

    /** A state backend as a job configures it. */
    record Backend(String label, boolean rocksDb, Map<String, String> options) {
        static final Backend HEAP = new Backend("heap (hashmap)", false, Map.of());
        static final Backend ROCKSDB = new Backend("RocksDB, incremental", true, Map.of());

        /**
         * Level 1 capped at 1 MB (default 256 MB): while the state is smaller than level 1's cap,
         * each compaction from level 0 rewrites all of level 1, so what a checkpoint uploads grows
         * with the state; with a small cap it stays about the second's new entries times the
         * levels' write amplification.
         */
        static final Backend ROCKSDB_SMALL_LEVELS =
                new Backend(
                        "RocksDB, incremental, level 1 of 1 MB",
                        true,
                        Map.of(
                                "state.backend.rocksdb.compaction.level.max-size-level-base",
                                "1mb",
                                "state.backend.rocksdb.compaction.level.target-file-size-base",
                                "256kb"));
    }

    private final LocalSetup setup;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private int runs;

    CheckpointCostBenchmark(LocalSetup setup) {
        this.setup = setup;
    }

    /**
     * @param backend the state backend and its options
     * @param at when to measure, from the job's start
     */
    List<Point> run(Backend backend, double perSecond, List<Duration> at) throws Exception {
        Configuration options =
                setup.echoEndpoint("checkpoint-cost-" + (++runs), MODEL_LATENCY, true);

        Path checkpoints = Files.createTempDirectory("checkpoint-cost");
        int restPort = freePort();
        Configuration cluster = new Configuration();
        cluster.set(RestOptions.PORT, restPort);
        cluster.set(StateBackendOptions.STATE_BACKEND, backend.rocksDb() ? "rocksdb" : "hashmap");
        cluster.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend.rocksDb());
        backend.options().forEach(cluster::setString);
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        env.setParallelism(PipelineRun.PARALLELISM);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        String run = Long.toString(System.nanoTime(), 36);
        SageMakerAsyncInference.<Long>builder()
                .setAll(options)
                .serializer(i -> SerializedRequest.of(LocalSetup.payload(i, 256)))
                .inferenceIdExtractor(i -> run + "-" + i)
                .build()
                .apply(
                        env.fromSource(
                                new DataGeneratorSource<>(
                                        i -> i,
                                        Long.MAX_VALUE,
                                        RateLimiterStrategy.perSecond(perSecond),
                                        Types.LONG),
                                WatermarkStrategy.noWatermarks(),
                                "elements"))
                .sinkTo(new DiscardingSink<>());
        setup.local.counters().reset();
        JobClient job = env.executeAsync("checkpoint cost");
        long start = System.nanoTime();
        List<Point> points = new ArrayList<>();
        try {
            for (Duration moment : at) {
                Duration window = WINDOW;
                sleepUntil(start + moment.minus(window).toNanos());
                long cpuBefore = processCpu();
                long threadsBefore = checkpointThreadsCpu();
                long windowStart = System.currentTimeMillis();
                sleepUntil(start + moment.toNanos());
                long threadsCpu = checkpointThreadsCpu() - threadsBefore;
                long cpu = processCpu() - cpuBefore;
                long pending =
                        setup.local.counters().invocations(InvocationKind.INLINE)
                                + setup.local.counters().invocations(InvocationKind.INPUT_LOCATION);
                List<JsonNode> completed = completedSince(restPort, job, windowStart);
                if (completed.isEmpty()) {
                    throw new IllegalStateException(
                            "No checkpoint completed in the "
                                    + window.toSeconds()
                                    + " s before "
                                    + moment);
                }
                points.add(
                        new Point(
                                pending,
                                average(completed, "state_size"),
                                average(completed, "checkpointed_size"),
                                average(completed, "end_to_end_duration"),
                                threadsCpu / 1e6 / completed.size(),
                                cpu / 1e6 / window.toSeconds()));
            }
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
            try {
                job.getJobExecutionResult().get(1, TimeUnit.MINUTES);
            } catch (ExecutionException cancelled) {
                // The expected end of a cancelled job.
            }
            try (var files = Files.walk(checkpoints)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return points;
    }

    private List<JsonNode> completedSince(int restPort, JobClient job, long sinceMillis)
            throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://localhost:"
                                                        + restPort
                                                        + "/jobs/"
                                                        + job.getJobID()
                                                        + "/checkpoints"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        List<JsonNode> completed = new ArrayList<>();
        for (JsonNode checkpoint : json.readTree(response.body()).path("history")) {
            if (checkpoint.path("status").asText().equals("COMPLETED")
                    && checkpoint.path("trigger_timestamp").asLong() >= sinceMillis) {
                completed.add(checkpoint);
            }
        }
        return completed;
    }

    private static double average(List<JsonNode> checkpoints, String field) {
        return checkpoints.stream().mapToLong(c -> c.path(field).asLong()).average().orElse(0);
    }

    private static long checkpointThreadsCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("AsyncOperations")) {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left = nanos - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
