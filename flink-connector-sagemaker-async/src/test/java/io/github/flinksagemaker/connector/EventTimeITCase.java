package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.testutils.CollectedStream;
import io.github.flinksagemaker.connector.testutils.CollectingSink;
import io.github.flinksagemaker.connector.testutils.Completion;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.Jobs;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.OutputTag;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.github.flinksagemaker.connector.testutils.Completion.abbreviate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Event time through the one-call API (issue #25), in both completion modes. The input carries
 * monotonous timestamps 10 ms apart with watermarks, 100 elements a second; the model answers each
 * in 50 to 600 ms, so out of order. Downstream, 1 s tumbling event-time windows collect the IDs of
 * the results they count: every result must be counted exactly once, in the window of its element's
 * timestamp, and the late-data side output stays empty. Right after the connector, a process
 * function checks that every result carries its element's timestamp and is not late (a record is
 * late when its timestamp is at or behind the current watermark). Also across a TaskManager
 * failure, and across a stop-with-savepoint restored at another parallelism.
 */
class EventTimeITCase {
    private static final int SLOTS = 4;
    private static final int ELEMENTS = 400;
    private static final int ELEMENTS_PER_SECOND = 100;

    /** A whole second: each 1 s window holds the timestamps of exactly 100 elements. */
    private static final long BASE_TIMESTAMP = 1_700_000_000_000L;

    private static final long SPACING_MILLIS = 10;
    private static final long WINDOW_MILLIS = 1_000;
    private static final int WINDOW_KEYS = 8;

    /** Nothing new for this long means results were lost: the test says which. */
    private static final Duration STALL = Duration.ofSeconds(60);

    /**
     * The input is bounded, so its watermark ends at the maximum: the windows counting the last
     * results fire right after them. This is only a bound on how long the test waits for them.
     */
    private static final Duration WINDOWS_WITHIN = Duration.ofSeconds(20);

    private static final FaultInjection OUT_OF_ORDER =
            FaultInjection.builder().latency(Duration.ofMillis(50), Duration.ofMillis(600)).build();

    private static final OutputTag<String> VIOLATIONS =
            new OutputTag<>("timestamp-violations", Types.STRING);

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    /** One cluster per test: a killed TaskManager is always the one running the job. */
    private MiniCluster cluster;

    /** A reporter per cluster: closing a cluster closes its reporter. */
    private InMemoryReporter reporter;

    @BeforeEach
    void startCluster() throws Exception {
        reporter = InMemoryReporter.createWithRetainedMetrics();
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(SLOTS)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 2);
    }

    @AfterEach
    void stopCluster() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        cluster.close();
    }

    /** Element {@code index} of the run {@code key}: {@code key-index@timestamp}, also its ID. */
    static String element(String key, long index) {
        return key + "-" + index + "@" + (BASE_TIMESTAMP + SPACING_MILLIS * index);
    }

    static long timestampOf(String element) {
        return Long.parseLong(element.substring(element.lastIndexOf('@') + 1));
    }

    private static long indexOf(String element) {
        return Long.parseLong(
                element.substring(element.lastIndexOf('-') + 1, element.lastIndexOf('@')));
    }

    private static List<String> elements(String key) {
        return LongStream.range(0, ELEMENTS).mapToObj(i -> element(key, i)).toList();
    }

    private static String register(Completion completion, String test) {
        String key = test + "-" + completion.name().toLowerCase();
        completion.register(LOCAL.local(), key, new DigestModel(), OUT_OF_ORDER);
        return key;
    }

    private static StreamExecutionEnvironment environment(
            int parallelism, Configuration extra, boolean restarts) {
        Configuration config = new Configuration(extra);
        if (restarts) {
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
            config.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(500));
        } else {
            // A failure is the test's: it must not hide behind a restart.
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(parallelism);
        env.enableCheckpointing(1_000);
        return env;
    }

    /** The streams a test reads: results, window outputs, late results' IDs, violations. */
    private record Outputs(
            DataStream<InferenceResult<String>> results,
            DataStream<String> windows,
            DataStream<String> late,
            DataStream<String> violations) {}

    /**
     * Rate-limited input with timestamps and watermarks, the connector, the timestamp check, and
     * keyed 1 s tumbling event-time windows that emit {@code windowStart|id,id,...}.
     */
    private static Outputs pipeline(
            StreamExecutionEnvironment env, Completion completion, String key) {
        GeneratorFunction<Long, String> generator = index -> element(key, index);
        DataStream<String> input =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        generator,
                                        ELEMENTS,
                                        RateLimiterStrategy.perSecond(ELEMENTS_PER_SECOND),
                                        Types.STRING),
                                WatermarkStrategy.<String>forMonotonousTimestamps()
                                        .withTimestampAssigner(
                                                (element, previous) -> timestampOf(element)),
                                "Events: " + key)
                        .uid("events");
        SingleOutputStreamOperator<InferenceResult<String>> results =
                completion.inference(LOCAL.local(), key).build().apply(input);
        SingleOutputStreamOperator<InferenceResult<String>> checked =
                results.process(new TimestampCheck())
                        .returns(results.getType())
                        .name("Check timestamps against watermarks")
                        .uid("timestamp-check");
        OutputTag<InferenceResult<String>> lateTag = new OutputTag<>("late", results.getType());
        SingleOutputStreamOperator<String> windows =
                checked.keyBy(result -> (int) (indexOf(result.inferenceId()) % WINDOW_KEYS))
                        .window(TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW_MILLIS)))
                        .sideOutputLateData(lateTag)
                        .process(new IdsPerWindow())
                        .name("Count results per 1 s event-time window")
                        .uid("windows");
        DataStream<String> late =
                windows.getSideOutput(lateTag)
                        .map(InferenceResult::inferenceId)
                        .returns(Types.STRING)
                        .name("Late results")
                        .uid("late");
        return new Outputs(checked, windows, late, checked.getSideOutput(VIOLATIONS));
    }

    /**
     * Checks each result's timestamp: its element's, and after the current watermark (a record at
     * or behind the watermark is late for event-time operators).
     */
    private static final class TimestampCheck
            extends ProcessFunction<InferenceResult<String>, InferenceResult<String>> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(
                InferenceResult<String> result,
                Context ctx,
                Collector<InferenceResult<String>> out) {
            String id = result.inferenceId();
            long expected = timestampOf(id);
            Long timestamp = ctx.timestamp();
            long watermark = ctx.timerService().currentWatermark();
            if (timestamp == null) {
                ctx.output(VIOLATIONS, id + " (" + result.status() + "): no timestamp at all");
            } else {
                if (timestamp != expected) {
                    ctx.output(
                            VIOLATIONS,
                            id
                                    + " ("
                                    + result.status()
                                    + "): timestamp "
                                    + timestamp
                                    + ", not its element's");
                }
                if (timestamp <= watermark) {
                    ctx.output(
                            VIOLATIONS,
                            id
                                    + " ("
                                    + result.status()
                                    + "): late, timestamp "
                                    + timestamp
                                    + " at or behind the watermark "
                                    + watermark);
                }
            }
            out.collect(result);
        }
    }

    /** Emits {@code windowStart|id,id,...}: the IDs of the results a window counted. */
    private static final class IdsPerWindow
            extends ProcessWindowFunction<InferenceResult<String>, String, Integer, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Integer key,
                Context context,
                Iterable<InferenceResult<String>> results,
                Collector<String> out) {
            List<String> ids = new ArrayList<>();
            results.forEach(result -> ids.add(result.inferenceId()));
            out.collect(context.window().getStart() + "|" + String.join(",", ids));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void tumblingEventTimeWindowsCountEveryResultOnceAndNoResultIsBehindTheWatermark(
            Completion completion) throws Exception {
        String key = register(completion, "et");
        StreamExecutionEnvironment env = environment(2, new Configuration(), false);
        Outputs outputs = pipeline(env, completion, key);
        Collected collected = Collected.of(outputs);
        JobClient job = env.executeAsync("event time " + key);
        try (Reading reading = collected.start(job)) {
            reading.awaitEveryResultCountedOnce(job, elements(key));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void tumblingEventTimeWindowsCountEveryResultOnceAcrossATaskManagerFailure(
            Completion completion) throws Exception {
        String key = register(completion, "et-tm");
        StreamExecutionEnvironment env = environment(2, new Configuration(), true);
        Outputs outputs = pipeline(env, completion, key);
        Collected collected = Collected.of(outputs);
        JobClient job = env.executeAsync("event time through a TaskManager failure " + key);
        JobMetrics metrics = new JobMetrics(reporter, job.getJobID());
        try (Reading reading = collected.start(job)) {
            // Mid-stream: the input runs for 4 s, results reach the client a checkpoint later.
            long until = System.nanoTime() + STALL.toNanos();
            while (reading.results.size() < ELEMENTS / 4) {
                failIfFailed(job);
                assertThat(System.nanoTime())
                        .as(
                                "%d results before the failure in time; got %d",
                                ELEMENTS / 4, reading.results.size())
                        .isLessThan(until);
                Thread.sleep(20);
            }
            assertThat(reading.results.size())
                    .as("results still to come at the failure")
                    .isLessThan(ELEMENTS);
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();

            reading.awaitEveryResultCountedOnce(job, elements(key));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }
        assertThat(restarts(metrics)).as("the job really restarted").isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void tumblingEventTimeWindowsCountEveryResultOnceAcrossARestoreAtAnotherParallelism(
            Completion completion, @TempDir Path savepoints) throws Exception {
        String key = register(completion, "et-sp");
        List<String> ids = elements(key);
        CollectingSink<InferenceResult<String>> results = new CollectingSink<>(key + "-results");
        CollectingSink<String> windows = new CollectingSink<>(key + "-windows");
        CollectingSink<String> late = new CollectingSink<>(key + "-late");
        CollectingSink<String> violations = new CollectingSink<>(key + "-violations");

        StreamExecutionEnvironment first = environment(2, new Configuration(), false);
        sinkTo(pipeline(first, completion, key), results, windows, late, violations);
        JobClient job = first.executeAsync("event time before the savepoint " + key);
        String savepoint;
        try {
            // Mid-stream: the input runs for 4 s, and a result takes up to 600 ms.
            long until = System.nanoTime() + STALL.toNanos();
            while (results.collected().size() < ELEMENTS / 3) {
                failIfFailed(job);
                assertThat(System.nanoTime())
                        .as(
                                "%d results before the savepoint in time; got %d",
                                ELEMENTS / 3, results.collected().size())
                        .isLessThan(until);
                Thread.sleep(20);
            }
            savepoint = Jobs.stopWithSavepoint(job, false, savepoints.toUri().toString());
        } finally {
            Jobs.cancelUnlessEnded(job);
        }
        assertThat(results.collected().size())
                .as("results still to come at the savepoint")
                .isLessThan(ELEMENTS);

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = environment(3, restore, false);
        sinkTo(pipeline(second, completion, key), results, windows, late, violations);
        JobClient restored = second.executeAsync("event time restored at parallelism 3 " + key);
        try {
            awaitIds(restored, results, ids);
            awaitWindows(restored, windows::collected, late::collected, violations::collected, ids);
            awaitEnd(restored);
        } finally {
            Jobs.cancelUnlessEnded(restored);
        }
        assertEveryResultCountedOnce(
                results.collected(),
                windows.collected(),
                late.collected(),
                violations.collected(),
                ids);
    }

    private static void sinkTo(
            Outputs outputs,
            CollectingSink<InferenceResult<String>> results,
            CollectingSink<String> windows,
            CollectingSink<String> late,
            CollectingSink<String> violations) {
        outputs.results().sinkTo(results).uid("results-sink");
        outputs.windows().sinkTo(windows).uid("windows-sink");
        outputs.late().sinkTo(late).uid("late-sink");
        outputs.violations().sinkTo(violations).uid("violations-sink");
    }

    /** The {@code collectAsync} iterators of a job's outputs, taken before it is submitted. */
    private record Collected(
            CloseableIterator<InferenceResult<String>> results,
            CloseableIterator<String> windows,
            CloseableIterator<String> late,
            CloseableIterator<String> violations) {
        static Collected of(Outputs outputs) throws Exception {
            return new Collected(
                    outputs.results().collectAsync(),
                    outputs.windows().collectAsync(),
                    outputs.late().collectAsync(),
                    outputs.violations().collectAsync());
        }

        Reading start(JobClient job) {
            return new Reading(
                    new ResultCollector<>(results),
                    new CollectedStream<>(windows, "windows"),
                    new CollectedStream<>(late, "late"),
                    new CollectedStream<>(violations, "violations"));
        }
    }

    /** A running job's outputs, read exactly once across failovers. */
    private record Reading(
            ResultCollector<String> results,
            CollectedStream<String> windows,
            CollectedStream<String> late,
            CollectedStream<String> violations)
            implements AutoCloseable {

        void awaitEveryResultCountedOnce(JobClient job, List<String> ids) throws Exception {
            try {
                results.awaitKeys(ids, InferenceResult::inferenceId, STALL);
            } catch (AssertionError e) {
                failIfFailed(job);
                throw e;
            }
            awaitWindows(job, windows::items, late::items, violations::items, ids);
            if (awaitEnd(job)) {
                // The iterators end with the job's last records.
                windows.awaitEnd(10_000);
                late.awaitEnd(10_000);
                violations.awaitEnd(10_000);
            }
            assertEveryResultCountedOnce(
                    results.results(), windows.items(), late.items(), violations.items(), ids);
        }

        @Override
        public void close() throws Exception {
            results.close();
            windows.close();
            late.close();
            violations.close();
        }
    }

    /** Waits until the sink has a result for every ID; fails naming the missing ones. */
    private static void awaitIds(
            JobClient job, CollectingSink<InferenceResult<String>> sink, List<String> ids)
            throws Exception {
        int seen = -1;
        long lastProgress = System.nanoTime();
        while (true) {
            List<InferenceResult<String>> now = sink.collected();
            Set<String> missing = new TreeSet<>(ids);
            now.forEach(result -> missing.remove(result.inferenceId()));
            if (missing.isEmpty()) {
                return;
            }
            failIfFailed(job);
            if (now.size() != seen) {
                seen = now.size();
                lastProgress = System.nanoTime();
            }
            if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                fail(
                        "No result for %d s; %d results never arrived: %s",
                        STALL.toSeconds(), missing.size(), abbreviate(missing));
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits until every ID was counted in a fired window; fails naming the uncounted ones, with
     * what the late-data output and the timestamp check saw meanwhile.
     */
    private static void awaitWindows(
            JobClient job,
            Supplier<List<String>> windows,
            Supplier<List<String>> late,
            Supplier<List<String>> violations,
            List<String> ids)
            throws Exception {
        long until = System.nanoTime() + WINDOWS_WITHIN.toNanos();
        while (true) {
            List<String> fired = windows.get();
            Set<String> uncounted = new TreeSet<>(ids);
            uncounted.removeAll(countedIn(fired).keySet());
            if (uncounted.isEmpty()) {
                return;
            }
            failIfFailed(job);
            // A result dropped as late is never counted: no need to wait for it.
            boolean allLate = late.get().containsAll(uncounted);
            if (allLate || System.nanoTime() > until) {
                fail(
                        "%d of %d results were counted in no fired event-time window %s after"
                                + " the last result arrived (%d windows fired; late side output:"
                                + " %d %s; timestamp check: %d violations %s): %s",
                        uncounted.size(),
                        ids.size(),
                        allLate ? "(all dropped as late)" : WINDOWS_WITHIN.toSeconds() + " s",
                        fired.size(),
                        late.get().size(),
                        abbreviate(late.get()),
                        violations.get().size(),
                        abbreviate(violations.get()),
                        abbreviate(uncounted));
            }
            Thread.sleep(50);
        }
    }

    /** The windows (their starts) that counted each ID. */
    private static Map<String, List<Long>> countedIn(List<String> windows) {
        Map<String, List<Long>> counted = new HashMap<>();
        for (String window : windows) {
            int bar = window.indexOf('|');
            long start = Long.parseLong(window.substring(0, bar));
            for (String id : window.substring(bar + 1).split(",")) {
                if (!id.isEmpty()) {
                    counted.computeIfAbsent(id, i -> new ArrayList<>()).add(start);
                }
            }
        }
        return counted;
    }

    private static void assertEveryResultCountedOnce(
            List<InferenceResult<String>> results,
            List<String> windows,
            List<String> late,
            List<String> violations,
            List<String> ids)
            throws Exception {
        Completion.assertExactlyOneSuccessEach(results, ids);
        assertThat(violations.size())
                .as(
                        "results without their element's timestamp, or behind the watermark: %s",
                        abbreviate(violations))
                .isZero();
        assertThat(late.size())
                .as("results in the windows' late-data side output: %s", abbreviate(late))
                .isZero();
        Map<String, List<Long>> counted = countedIn(windows);
        List<String> problems = new ArrayList<>();
        for (String id : ids) {
            List<Long> starts = counted.getOrDefault(id, List.of());
            long expected = timestampOf(id) - Math.floorMod(timestampOf(id), WINDOW_MILLIS);
            if (starts.size() != 1) {
                problems.add(id + " counted in " + starts.size() + " windows " + starts);
            } else if (starts.get(0) != expected) {
                problems.add(id + " counted in the window starting " + starts.get(0));
            }
        }
        counted.keySet().stream()
                .filter(id -> !ids.contains(id))
                .forEach(id -> problems.add(id + " counted, of no element of this run"));
        assertThat(problems.size())
                .as(
                        "results not counted exactly once in the window of their timestamp: %s",
                        abbreviate(problems))
                .isZero();
        Map<Long, Long> perWindow =
                counted.values().stream()
                        .flatMap(List::stream)
                        .collect(Collectors.groupingBy(start -> start, Collectors.counting()));
        assertThat(perWindow.values())
                .as("100 results per 1 s window: %s", perWindow)
                .containsOnly((long) (WINDOW_MILLIS / SPACING_MILLIS));
    }

    /**
     * Waits a little for the job to end by itself, as a job over a bounded input does once every
     * element has its result; whether it does is {@link BoundedInputITCase}'s to check. Returns
     * whether it ended.
     */
    private static boolean awaitEnd(JobClient job) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Fails naming the job's failure, when it failed. */
    private static void failIfFailed(JobClient job) throws Exception {
        if (job.getJobStatus().get() == JobStatus.FAILED) {
            try {
                job.getJobExecutionResult().get();
            } catch (ExecutionException e) {
                Throwable root = ExceptionUtils.stripExecutionException(e);
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                throw new AssertionError("The job failed: " + root, e);
            }
        }
    }

    /** Restarts as counted by the job's own gauge. */
    private static long restarts(JobMetrics metrics) {
        return metrics.gauges("numRestarts").stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
