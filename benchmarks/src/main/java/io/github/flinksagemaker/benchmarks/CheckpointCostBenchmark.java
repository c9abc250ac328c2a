package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a checkpoint costs as pending inferences pile up: the one-call pipeline in SQS mode at a
 * steady rate against a model that takes an hour, so every inference stays pending, with
 * checkpoints every second. At given moments, the average of the last checkpoints' sizes (Flink's
 * own statistics, over REST), and the CPU of the checkpoint threads and of the whole JVM per
 * second; heap state against RocksDB with incremental checkpoints, without and with Flink's
 * changelog (and then what its materializations upload).
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
            double processCpuMillisPerSecond,
            double materializedBytesPerSecond) {}

    /**
     * How often the changelog's state is materialized: Flink's default is 10 minutes; 30 s puts
     * materializations into each run, so that their uploads are measured too.
     */
    static final Duration MATERIALIZATION_INTERVAL = Duration.ofSeconds(30);

    /** A state backend as a job configures it. */
    record Backend(String label, boolean rocksDb, boolean changelog) {
        static final Backend HEAP = new Backend("heap (hashmap)", false, false);
        static final Backend ROCKSDB = new Backend("RocksDB, incremental", true, false);

        /**
         * RocksDB with incremental checkpoints under Flink's changelog: a checkpoint uploads the
         * state changes since the last one; RocksDB's files (and what its compactions rewrote) are
         * uploaded by the periodic materialization instead, off the checkpoint's path.
         */
        static final Backend ROCKSDB_CHANGELOG =
                new Backend("RocksDB, incremental, changelog", true, true);

        void configure(Configuration cluster, Path checkpoints) {
            cluster.set(StateBackendOptions.STATE_BACKEND, rocksDb ? "rocksdb" : "hashmap");
            cluster.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, rocksDb);
            if (changelog) {
                cluster.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
                cluster.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
                cluster.set(
                        FsStateChangelogOptions.BASE_PATH,
                        checkpoints.resolve("changelog").toUri().toString());
                cluster.set(
                        StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL,
                        MATERIALIZATION_INTERVAL);
            }
        }
    }

    private final LocalSetup setup;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private int runs;

    CheckpointCostBenchmark(LocalSetup setup) {
        this.setup = setup;
    }

    /**
     * The one-call pipeline.
     *
     * @param backend the state backend and its options
     * @param at when to measure, from the job's start
     */
    List<Point> run(Backend backend, double perSecond, List<Duration> at) throws Exception {
        Configuration options =
                setup.echoEndpoint("checkpoint-cost-" + (++runs), MODEL_LATENCY, true);
        String run = Long.toString(System.nanoTime(), 36);
        return measure(
                backend,
                env ->
                        SageMakerAsyncInference.<Long>builder()
                                .setAll(options)
                                .serializer(i -> SerializedRequest.of(LocalSetup.payload(i, 256)))
                                .inferenceIdExtractor(i -> run + "-" + i)
                                .build()
                                .apply(elements(env, perSecond))
                                .sinkTo(new DiscardingSink<>()),
                () -> {
                    setup.local.counters().reset();
                    return () ->
                            setup.local.counters().invocations(InvocationKind.INLINE)
                                    + setup.local
                                            .counters()
                                            .invocations(InvocationKind.INPUT_LOCATION);
                },
                at);
    }

    /**
     * The control: no connector, one keyed value of {@link PlainKeyedState#VALUE_BYTES} and one
     * timer an hour away per element, the state of a plain Flink job that remembers every key. What
     * grows here grows with any keyed state, not with the connector's.
     */
    List<Point> runPlainKeyedState(Backend backend, double perSecond, List<Duration> at)
            throws Exception {
        return measure(
                backend,
                env ->
                        elements(env, perSecond)
                                .keyBy(i -> "key-" + i)
                                .process(new PlainKeyedState())
                                .sinkTo(new DiscardingSink<>()),
                () -> {
                    PlainKeyedState.KEYS.set(0);
                    return PlainKeyedState.KEYS::get;
                },
                at);
    }

    private static DataStream<Long> elements(StreamExecutionEnvironment env, double perSecond) {
        return env.fromSource(
                new DataGeneratorSource<>(
                        i -> i,
                        Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(perSecond),
                        Types.LONG),
                WatermarkStrategy.noWatermarks(),
                "elements");
    }

    /** Keeps a value and a timer an hour away for every key it sees. */
    static final class PlainKeyedState extends KeyedProcessFunction<String, Long, Long> {
        static final int VALUE_BYTES = 200;
        static final AtomicLong KEYS = new AtomicLong();

        private transient ValueState<byte[]> value;

        @Override
        public void open(OpenContext context) {
            value =
                    getRuntimeContext()
                            .getState(
                                    new ValueStateDescriptor<>(
                                            "value",
                                            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        }

        @Override
        public void processElement(Long element, Context context, Collector<Long> out)
                throws Exception {
            byte[] bytes = new byte[VALUE_BYTES];
            ThreadLocalRandom.current().nextBytes(bytes);
            value.update(bytes);
            context.timerService()
                    .registerProcessingTimeTimer(
                            context.timerService().currentProcessingTime()
                                    + MODEL_LATENCY.toMillis());
            KEYS.incrementAndGet();
        }
    }

    /**
     * @param job adds the job to measure to the environment
     * @param pending resets what counts the pending inferences (or keys) and returns its reader
     */
    private List<Point> measure(
            Backend backend,
            Consumer<StreamExecutionEnvironment> job,
            Supplier<LongSupplier> pending,
            List<Duration> at)
            throws Exception {
        Path checkpoints = Files.createTempDirectory("checkpoint-cost");
        int restPort = freePort();
        Configuration cluster = new Configuration();
        cluster.set(RestOptions.PORT, restPort);
        backend.configure(cluster, checkpoints);
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(cluster);
        env.setParallelism(PipelineRun.PARALLELISM);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        job.accept(env);
        LongSupplier pendingNow = pending.get();
        JobClient running = env.executeAsync("checkpoint cost");
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
                long pendingAtMoment = pendingNow.getAsLong();
                List<JsonNode> completed = completedSince(restPort, running, windowStart);
                if (completed.isEmpty()) {
                    throw new IllegalStateException(
                            "No checkpoint completed in the "
                                    + window.toSeconds()
                                    + " s before "
                                    + moment);
                }
                points.add(
                        new Point(
                                pendingAtMoment,
                                average(completed, "state_size"),
                                average(completed, "checkpointed_size"),
                                average(completed, "end_to_end_duration"),
                                threadsCpu / 1e6 / completed.size(),
                                cpu / 1e6 / window.toSeconds(),
                                backend.changelog()
                                        ? lastMaterializedBytes(restPort, running)
                                                / MATERIALIZATION_INTERVAL.toSeconds()
                                        : 0));
            }
        } finally {
            running.cancel().get(1, TimeUnit.MINUTES);
            try {
                running.getJobExecutionResult().get(1, TimeUnit.MINUTES);
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
        List<JsonNode> completed = new ArrayList<>();
        for (JsonNode checkpoint :
                get("http://localhost:" + restPort + "/jobs/" + job.getJobID() + "/checkpoints")
                        .path("history")) {
            if (checkpoint.path("status").asText().equals("COMPLETED")
                    && checkpoint.path("trigger_timestamp").asLong() >= sinceMillis) {
                completed.add(checkpoint);
            }
        }
        return completed;
    }

    /**
     * What the last materialization of every operator's state uploaded (Flink's changelog metric
     * {@code lastIncSizeOfMaterialization}), summed over the job's subtasks.
     */
    private double lastMaterializedBytes(int restPort, JobClient job) throws Exception {
        String jobUrl = "http://localhost:" + restPort + "/jobs/" + job.getJobID();
        double total = 0;
        for (JsonNode vertex : get(jobUrl).path("vertices")) {
            String metrics =
                    jobUrl + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            List<String> names = new ArrayList<>();
            for (JsonNode metric : get(metrics)) {
                String name = metric.path("id").asText();
                if (name.endsWith("lastIncSizeOfMaterialization")) {
                    names.add(name);
                }
            }
            if (!names.isEmpty()) {
                for (JsonNode sum : get(metrics + "?agg=sum&get=" + String.join(",", names))) {
                    total += sum.path("sum").asDouble();
                }
            }
        }
        return total;
    }

    private JsonNode get(String url) throws Exception {
        return json.readTree(
                http.send(
                                HttpRequest.newBuilder(URI.create(url)).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
    }

    private static double average(List<JsonNode> checkpoints, String field) {
        return checkpoints.stream().mapToLong(c -> c.path(field).asLong()).average().orElse(0);
    }

    /**
     * Threads that write checkpoints: the tasks' asynchronous snapshots (and the changelog's
     * materializations), and the changelog's uploads.
     */
    private static final List<String> CHECKPOINT_THREAD_PREFIXES =
            List.of("AsyncOperations", "Changelog", "periodic-materialization");

    private static long checkpointThreadsCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (CHECKPOINT_THREAD_PREFIXES.stream().anyMatch(thread.getName()::startsWith)) {
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
