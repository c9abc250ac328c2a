package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.testutils.Completion;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.LocalModel;
import io.github.flinksagemaker.local.model.ModelResponse;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static LocalSageMakerAsync local;

    @BeforeAll
    static void startLocalEndpoint() throws Exception {
        local = LocalSageMakerAsync.builder().start();
    }

    @AfterAll
    static void stopLocalEndpoint() throws Exception {
        local.close();
    }

    private static String key(String test, Completion completion) {
        return test + "-" + completion.name().toLowerCase();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void aBoundedInputOf1000ElementsEndsFinishedWithin30sOfItsLastResult(Completion completion)
            throws Exception {
        String key = key("bounded", completion);
        completion.register(local, key, new DigestModel(), LATENCY);

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
        completion.register(local, key, afterTheFirstCheckpoint, FaultInjection.NONE);

        runToItsEnd(completion, key, 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Completion.class)
    void aBoundedInputEndsFinishedThroughAFailureInjectedMidway(Completion completion)
            throws Exception {
        String key = key("bounded-fail", completion);
        completion.register(local, key, new DigestModel(), LATENCY);

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
                        .inference(local, key)
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
