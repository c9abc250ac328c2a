package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.testutils.Completion;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.Jobs;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.OpenEndedSource;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.model.LocalModel;
import io.github.flinksagemaker.local.model.ModelResponse;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.flinksagemaker.connector.testutils.Completion.abbreviate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A bounded input through the one-call API (issue #25), in both completion modes: 1,000 elements
 * from {@code fromData}, checkpoints every second. Once every element has its result the job ends
 * FINISHED by itself, within 30 s of its last result (never cancelled), with exactly one result per
 * element; also when the model answers only after the first checkpoint completed (every element
 * pending in it), and through a failure injected mid-way, restored from a checkpoint.
 *
 * <p>And an unbounded input stopped with a savepoint and {@code --drain} while all its elements are
 * pending: the result source ends with the input, so the join must find every result itself by
 * looking at the result locations before the job ends FINISHED.
 */
class BoundedInputITCase {
    private static final int ELEMENTS = 1_000;

    /** The bound between the last result and the job's end. */
    private static final Duration FINISHED_WITHIN = Duration.ofSeconds(30);

    /** No result at all for this long from the start means results were lost. */
    private static final Duration STALL = Duration.ofSeconds(60);

    /** However the results trickle, the test ends by then. */
    private static final Duration AT_MOST = Duration.ofSeconds(150);

    private static final FaultInjection LATENCY =
            FaultInjection.builder().latency(Duration.ofMillis(10), Duration.ofMillis(300)).build();

    /** Elements the unbounded input emits before it waits, open, for the stop. */
    private static final int UNBOUNDED_ELEMENTS = 80;

    /** The drain test's model holds its answers until the drain began, or this long at most. */
    private static final Duration GATE = Duration.ofSeconds(30);

    /** From the stop's request to its savepoint, at most. */
    private static final Duration STOP_WITHIN = Duration.ofSeconds(45);

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    private static String key(String test, Completion completion) {
        return test + "-" + completion.name().toLowerCase();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void aBoundedInputOf1000ElementsEndsFinishedWithin30sOfItsLastResult(Completion completion)
            throws Exception {
        String key = key("bounded", completion);
        completion.register(LOCAL.local(), key, new DigestModel(), LATENCY);

        runToItsEnd(completion, key, 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void aBoundedInputEndsFinishedWhenTheModelAnswersOnlyAfterTheFirstCheckpoint(
            Completion completion) throws Exception {
        String key = key("bounded-cp", completion);
        CountDownLatch firstCheckpoint = ResultProbe.of(key).firstCheckpoint;
        DigestModel digest = new DigestModel();
        LocalModel afterTheFirstCheckpoint =
                request -> {
                    if (!firstCheckpoint.await(STALL.toSeconds(), TimeUnit.SECONDS)) {
                        return ModelResponse.error(
                                "no checkpoint completed within " + STALL.toSeconds() + " s");
                    }
                    return digest.invoke(request);
                };
        completion.register(LOCAL.local(), key, afterTheFirstCheckpoint, FaultInjection.NONE);

        runToItsEnd(completion, key, 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void aBoundedInputEndsFinishedThroughAFailureInjectedMidway(Completion completion)
            throws Exception {
        String key = key("bounded-fail", completion);
        completion.register(LOCAL.local(), key, new DigestModel(), LATENCY);

        JobClient job = runToItsEnd(completion, key, ELEMENTS / 2);

        assertThat(ResultProbe.of(key).failedOnce.get())
                .as("the failure was injected after %d results", ELEMENTS / 2)
                .isTrue();
        assertThat(
                        new JobMetrics(REPORTER, job.getJobID())
                                .gauges("numRestarts").stream()
                                        .mapToLong(Long::longValue)
                                        .max()
                                        .orElse(0))
                .as("the job restarted")
                .isPositive();
    }

    /**
     * Stop with savepoint and {@code --drain} while all 80 elements of an unbounded input are
     * pending: the result source ends together with the input, so no listing or notification brings
     * their results any more. The model answers only once the join has begun draining (its drain
     * looks counted), so every result must come from the join's own looks at the result locations;
     * the stop must complete with a savepoint, the job end FINISHED, and every element have exactly
     * one SUCCESS.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void stopWithSavepointAndDrainWaitsForTheResultsOfAllPendingElementsOfAnUnboundedInput(
            Completion completion, @TempDir Path savepoints) throws Exception {
        String key = key("drain", completion);
        CountDownLatch drainBegan = ResultProbe.of(key).drainBegan;
        DigestModel digest = new DigestModel();
        LocalModel afterTheDrainBegan =
                request -> {
                    // Past the gate it answers anyway: the test then fails on how the results
                    // came, instead of waiting for their deadlines.
                    drainBegan.await(GATE.toSeconds(), TimeUnit.SECONDS);
                    return digest.invoke(request);
                };
        completion.register(LOCAL.local(), key, afterTheDrainBegan, FaultInjection.NONE);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(1_000);
        List<String> elements =
                IntStream.range(0, UNBOUNDED_ELEMENTS).mapToObj(i -> key + "-" + i).toList();
        DataStream<String> input =
                env.fromSource(
                                unboundedInput(key, UNBOUNDED_ELEMENTS),
                                WatermarkStrategy.noWatermarks(),
                                "Unbounded input: " + key,
                                Types.STRING)
                        .setParallelism(1);
        CloseableIterator<InferenceResult<String>> iterator =
                completion.inference(LOCAL.local(), key).build().apply(input).collectAsync();

        JobClient job = env.executeAsync("drained " + key);
        JobMetrics join =
                new JobMetrics(REPORTER, job.getJobID())
                        .ofOperator("Join results by inference ID: " + key);
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            awaitPendingInTheJoin(job, join, key, elements.size());
            assertThat(collector.size())
                    .as("results before the stop (the model holds its answers)")
                    .isZero();

            long stopAt = System.currentTimeMillis();
            CompletableFuture<String> stop =
                    job.stopWithSavepoint(
                            true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL);
            // The join counts its first looks once both its inputs ended: no result can reach it
            // through the result source any more. Only now may the model answer.
            while (join.counterSum("sagemakerAsync.drainLooks") == 0
                    && !stop.isDone()
                    && System.currentTimeMillis() - stopAt < GATE.toMillis()) {
                Thread.sleep(20);
            }
            long drainBeganAfter = System.currentTimeMillis() - stopAt;
            drainBegan.countDown();

            String savepoint = awaitStop(job, stop, join, collector, elements, stopAt);
            long stopped = System.currentTimeMillis() - stopAt;
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            assertThat(savepoint).as("the stop's savepoint").isNotBlank();
            assertThat(job.getJobStatus().get())
                    .as("how the job ended")
                    .isEqualTo(JobStatus.FINISHED);

            collector.awaitKeys(elements, InferenceResult::inferenceId, Duration.ofSeconds(10));
            Completion.assertExactlyOneSuccessEach(
                    collector.andNothingMoreFor(Duration.ofSeconds(1)), elements);
            long looks = join.counterSum("sagemakerAsync.drainLooks");
            long found = join.counterSum("sagemakerAsync.drainLooksFound");
            assertThat(looks).as("looks at result locations while draining").isPositive();
            assertThat(found)
                    .as(
                            "results found by the drain's looks (%d looks): every one, for none"
                                    + " was answered before both join inputs ended",
                            looks)
                    .isEqualTo(elements.size());
            System.out.printf(
                    "%s: drain began %d ms after the stop, savepoint %d ms after it;"
                            + " %d drain looks found %d results%n",
                    key, drainBeganAfter, stopped, looks, found);
        } finally {
            drainBegan.countDown();
            Jobs.cancelUnlessEnded(job);
        }
    }

    /** Waits until the join has all {@code count} elements pending: all were submitted. */
    private static void awaitPendingInTheJoin(
            JobClient job, JobMetrics join, String endpoint, int count) throws Exception {
        long start = System.currentTimeMillis();
        long pending = 0;
        while (pending < count) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                fail(
                        "The job ended %s before its %d elements were pending: %s",
                        status, count, failureOf(job));
            }
            if (System.currentTimeMillis() - start > STALL.toMillis() / 2) {
                fail(
                        "%d of %d elements pending in the join after %d s; the endpoint has %d"
                                + " invocations pending",
                        pending,
                        count,
                        STALL.toSeconds() / 2,
                        LOCAL.local().pendingInvocations(endpoint));
            }
            Thread.sleep(50);
            pending = join.gauges("sagemakerAsync.pending").stream().mapToLong(v -> v).sum();
        }
    }

    /**
     * The savepoint path of {@code stop}; fails naming what was still pending and the elements
     * without a result when it failed or did not complete within {@link #STOP_WITHIN}.
     */
    private static String awaitStop(
            JobClient job,
            CompletableFuture<String> stop,
            JobMetrics join,
            ResultCollector<String> collector,
            List<String> elements,
            long stopAt)
            throws Exception {
        long left = STOP_WITHIN.toMillis() - (System.currentTimeMillis() - stopAt);
        try {
            return stop.get(Math.max(left, 1), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            Set<String> missing = new TreeSet<>(elements);
            missing.removeAll(
                    collector.results().stream()
                            .map(InferenceResult::inferenceId)
                            .collect(Collectors.toSet()));
            throw new AssertionError(
                    String.format(
                            "The stop with --drain %s %d s after it was asked; job %s, %d"
                                    + " pending in the join, %d drain looks found %d results;"
                                    + " %d of %d elements without a result: %s%s",
                            e instanceof TimeoutException ? "had not completed" : "failed",
                            (System.currentTimeMillis() - stopAt) / 1_000,
                            job.getJobStatus().get(),
                            join.gauges("sagemakerAsync.pending").stream().mapToLong(v -> v).sum(),
                            join.counterSum("sagemakerAsync.drainLooks"),
                            join.counterSum("sagemakerAsync.drainLooksFound"),
                            missing.size(),
                            elements.size(),
                            abbreviate(missing),
                            e instanceof ExecutionException
                                    ? "\n" + ExceptionUtils.stringifyException(e)
                                    : ""),
                    e);
        }
    }

    /** Why {@code job} failed, or that it did not. */
    private static String failureOf(JobClient job) {
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            return "it did not fail";
        } catch (Exception e) {
            return ExceptionUtils.stringifyException(e);
        }
    }

    /**
     * An input that emits {@code key-0} to {@code key-<count-1>} and then waits, never ending by
     * itself: declared unbounded, ended only by a stop. Its one reader.
     */
    private static Source<String, ?, ?> unboundedInput(String key, int count) {
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            elements.add(key + "-" + i);
        }
        return OpenEndedSource.of(elements);
    }

    /**
     * Runs 1,000 elements through the connector until the job ends; fails when it is not FINISHED
     * 30 s after its last result (naming the elements without one), when it failed, or when any
     * element has no result or several. {@code failAfter}, when positive, fails the job once after
     * that many results.
     */
    private static JobClient runToItsEnd(Completion completion, String key, int failAfter)
            throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(1_000);
        List<String> elements = IntStream.range(0, ELEMENTS).mapToObj(i -> key + "-" + i).toList();
        SingleOutputStreamOperator<InferenceResult<String>> results =
                completion
                        .inference(LOCAL.local(), key)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])));
        ResultProbe probe = ResultProbe.of(key);
        CloseableIterator<InferenceResult<String>> iterator =
                results.map(new ResultProbeFunction(key, failAfter))
                        .returns(results.getType())
                        .name("Result probe")
                        .collectAsync();

        long start = System.currentTimeMillis();
        JobClient job = env.executeAsync("bounded " + key);
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            long end = awaitTheEnd(job, probe, elements, start);
            JobStatus status = job.getJobStatus().get();
            if (status == JobStatus.FAILED) {
                try {
                    job.getJobExecutionResult().get();
                } catch (ExecutionException e) {
                    throw new AssertionError(
                            "The job failed: " + ExceptionUtils.stringifyException(e), e);
                }
            }
            assertThat(status).as("how the job ended").isEqualTo(JobStatus.FINISHED);
            long lag = end - probe.lastResultAt.get();
            assertThat(lag)
                    .as("ms from the last result to FINISHED")
                    .isLessThanOrEqualTo(FINISHED_WITHIN.toMillis());

            collector.awaitKeys(elements, InferenceResult::inferenceId, Duration.ofSeconds(10));
            // The job ended: the iterator holds every record; a duplicate would be among them.
            Completion.assertExactlyOneSuccessEach(
                    collector.andNothingMoreFor(Duration.ofSeconds(1)), elements);
            System.out.printf(
                    "%s: %d results, FINISHED %d ms after the last, %d ms after the start%n",
                    key, collector.size(), lag, end - start);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }
        return job;
    }

    /** Waits for the job to end by itself; returns when (epoch ms) it was seen ended. */
    private static long awaitTheEnd(
            JobClient job, ResultProbe probe, List<String> elements, long start) throws Exception {
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            long now = System.currentTimeMillis();
            long last = probe.lastResultAt.get();
            if (last == 0 && now - start > STALL.toMillis()) {
                fail("No result within %d s of the start", STALL.toSeconds());
            }
            if ((last > 0 && now - last > FINISHED_WITHIN.toMillis())
                    || now - start > AT_MOST.toMillis()) {
                Set<String> missing = new TreeSet<>(elements);
                missing.removeAll(probe.seen);
                fail(
                        "The job is still %s %d s after its last result (%d s after the start);"
                                + " %d of %d elements had a result, %s",
                        job.getJobStatus().get(),
                        (now - last) / 1_000,
                        (now - start) / 1_000,
                        elements.size() - missing.size(),
                        elements.size(),
                        missing.isEmpty()
                                ? "so it should have ended by itself"
                                : "without one: " + abbreviate(missing));
            }
            Thread.sleep(50);
        }
        return System.currentTimeMillis();
    }

    /** What the probe of one test saw, shared with the test in this JVM. */
    private static final class ResultProbe {
        private static final Map<String, ResultProbe> PROBES = new ConcurrentHashMap<>();

        final AtomicLong lastResultAt = new AtomicLong();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicInteger count = new AtomicInteger();
        final AtomicBoolean failedOnce = new AtomicBoolean();
        final CountDownLatch firstCheckpoint = new CountDownLatch(1);
        final CountDownLatch drainBegan = new CountDownLatch(1);

        static ResultProbe of(String key) {
            return PROBES.computeIfAbsent(key, k -> new ResultProbe());
        }
    }

    /**
     * Right behind the connector: notes when each result passed (so also results a restart
     * replays), opens the probe's first-checkpoint latch, and fails once after {@code failAfter}
     * results when that is positive.
     */
    private static final class ResultProbeFunction
            extends RichMapFunction<InferenceResult<String>, InferenceResult<String>>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;

        private final String key;
        private final int failAfter;

        ResultProbeFunction(String key, int failAfter) {
            this.key = key;
            this.failAfter = failAfter;
        }

        @Override
        public InferenceResult<String> map(InferenceResult<String> result) {
            ResultProbe probe = ResultProbe.of(key);
            probe.seen.add(result.inferenceId());
            probe.lastResultAt.set(System.currentTimeMillis());
            if (probe.count.incrementAndGet() >= failAfter
                    && failAfter > 0
                    && probe.failedOnce.compareAndSet(false, true)) {
                throw new RuntimeException(
                        "Failure injected after " + failAfter + " results (test)");
            }
            return result;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            ResultProbe.of(key).firstCheckpoint.countDown();
        }
    }
}
