package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.CollectingSink;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.LocalAwsConfig;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.OutputNaming;
import io.github.flinksagemaker.local.model.EchoModel;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-call API end to end on a MiniCluster with checkpointing, against the local SageMaker
 * async endpoint and in-process S3 through the real AWS SDK: exactly one result per element through
 * throttling, 5xx, model errors, a TaskManager failure, timeouts and stop-with-savepoint.
 */
class SageMakerAsyncInferenceITCase {
    private static final int SLOTS = 4;

    private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(SLOTS)
                            .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
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

    /** Element "id:size"; its payload starts with 'E' (a model error) for every 50th id. */
    static byte[] payload(String element) {
        String[] parts = element.split(":");
        int id = Integer.parseInt(parts[0]);
        byte[] bytes = new byte[Integer.parseInt(parts[1])];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + (id * 31 + i) % 26);
        }
        bytes[0] = (byte) (id % 50 == 0 ? 'E' : 'p');
        return bytes;
    }

    static List<String> elements(int count, long seed) {
        Random random = new Random(seed);
        List<String> elements = new ArrayList<>();
        for (int id = 0; id < count; id++) {
            int size;
            if (id == 1) {
                size = 127_999;
            } else if (id == 2) {
                size = 128_000;
            } else if (id == 3) {
                size = 128_001;
            } else if (id == 4) {
                size = 1;
            } else if (id == 5) {
                size = 1_000_000;
            } else if (id % 100 == 7) {
                size = 128_001 + random.nextInt(1_000_000 - 128_001);
            } else {
                size = 1 + random.nextInt(4_096);
            }
            elements.add(id + ":" + size);
        }
        return elements;
    }

    private static SageMakerAsyncInference.Builder<String, String> inference(String endpoint) {
        return SageMakerAsyncInference.<String>builder()
                .setAll(LocalAwsConfig.of(local))
                .endpointName(endpoint)
                .outputPath("s3://" + local.bucket() + "/" + endpoint + "/output")
                .failurePath("s3://" + local.bucket() + "/" + endpoint + "/failure")
                .s3InputPrefix("s3://" + local.bucket() + "/" + endpoint + "/input")
                .serializer(element -> SerializedRequest.of(payload(element)))
                .inferenceIdExtractor(element -> "item-" + element.split(":")[0])
                .set(SubmitOptions.OUTPUT_PATH_EXTENSION, "{yyyy}/{MM}/{dd}/{HH}")
                .set(SubmitOptions.CAPACITY, 64)
                .set(SubmitOptions.RETRY_MAX_ATTEMPTS, 50)
                .set(SubmitOptions.RETRY_BASE_DELAY, Duration.ofMillis(5))
                .set(SubmitOptions.RETRY_MAX_DELAY, Duration.ofMillis(100))
                .set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(200));
    }

    private static void register(String endpoint, OutputNaming naming, FaultInjection faults) {
        local.registerEndpoint(
                LocalEndpointConfig.builder(endpoint)
                        .s3OutputPath("s3://" + local.bucket() + "/" + endpoint + "/output")
                        .s3FailurePath("s3://" + local.bucket() + "/" + endpoint + "/failure")
                        .maxConcurrentInvocations(128)
                        .outputNaming(naming)
                        .model(new DigestModel())
                        .faults(faults)
                        .build());
    }

    private static StreamExecutionEnvironment environment(Configuration extra) {
        Configuration config = new Configuration(extra);
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    @ParameterizedTest(name = "outputs named {0}")
    @EnumSource(OutputNaming.class)
    void everyElementGetsExactlyOneCorrectResultThroughFaultsAndATaskManagerFailure(
            OutputNaming naming, @InjectMiniCluster MiniCluster miniCluster) throws Exception {
        String endpoint = "e2e-" + naming.name().toLowerCase().replace('_', '-');
        register(
                endpoint,
                naming,
                FaultInjection.builder()
                        .latency(Duration.ofMillis(5), Duration.ofMillis(300))
                        .throttledFraction(0.1)
                        .serviceUnavailableFraction(0.03)
                        .internalFailureFraction(0.02)
                        .build());
        List<String> elements = elements(10_000, naming.ordinal());
        StreamExecutionEnvironment env = environment(new Configuration());
        SageMakerAsyncInference<String, String> inference =
                inference(endpoint)
                        // Let the endpoint name outputs: this test is about its naming.
                        .set(SubmitOptions.OUTPUT_FILENAME, false)
                        .build();

        CloseableIterator<InferenceResult<String>> iterator =
                inference
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        JobClient job = env.executeAsync("e2e " + naming);
        Map<String, InferenceResult<String>> byElement = new ConcurrentHashMap<>();
        List<InferenceResult<String>> all = new ArrayList<>();
        boolean killed = false;
        try (iterator) {
            while (all.size() < elements.size() && iterator.hasNext()) {
                InferenceResult<String> result = iterator.next();
                all.add(result);
                byElement.put(result.element(), result);
                if (!killed && all.size() == 3_000) {
                    miniCluster.terminateTaskManager(0).get();
                    miniCluster.startTaskManager();
                    killed = true;
                }
            }
        } finally {
            job.cancel().get();
        }

        assertThat(killed).isTrue();
        assertThat(all).as("one result per element, no duplicates").hasSize(elements.size());
        assertThat(byElement).hasSize(elements.size());
        for (String element : elements) {
            InferenceResult<String> result = byElement.get(element);
            int id = Integer.parseInt(element.split(":")[0]);
            int size = Integer.parseInt(element.split(":")[1]);
            assertThat(result.inferenceId()).isEqualTo("item-" + id);
            assertThat(result.path())
                    .as("path of %s", element)
                    .isEqualTo(size <= 128_000 ? SubmitPath.INLINE : SubmitPath.S3);
            if (id % 50 == 0) {
                assertThat(result.status())
                        .as("status of %s", element)
                        .isEqualTo(InferenceStatus.MODEL_ERROR);
                assertThat(result.errorMessage())
                        .isEqualTo("model refused payload of " + size + " bytes");
            } else {
                assertThat(result.status())
                        .as("status of %s", element)
                        .isEqualTo(InferenceStatus.SUCCESS);
                assertThat(result.output()).isEqualTo(DigestModel.digest(payload(element)));
            }
        }
        if (naming == OutputNaming.INFERENCE_ID) {
            assertThat(byElement.get("4:1").resultLocation()).endsWith("/item-4.out");
        } else {
            assertThat(byElement.get("4:1").resultLocation()).doesNotContain("item-4");
        }
    }

    @Test
    void aModelSlowerThanTheDeadlineTimesOutAndItsLateOutputIsDropped() throws Exception {
        String endpoint = "slow";
        local.registerEndpoint(
                LocalEndpointConfig.builder(endpoint)
                        .s3OutputPath("s3://" + local.bucket() + "/" + endpoint + "/output")
                        .s3FailurePath("s3://" + local.bucket() + "/" + endpoint + "/failure")
                        .model(new EchoModel())
                        .faults(FaultInjection.builder().latency(Duration.ofSeconds(4)).build())
                        .build());
        StreamExecutionEnvironment env = environment(new Configuration());
        SingleOutputStreamOperator<InferenceResult<String>> results =
                inference(endpoint)
                        .set(SubmitOptions.RESULT_TIMEOUT, Duration.ofSeconds(1))
                        .build()
                        .apply(env.fromData(Types.STRING, "1:10", "2:20"));
        CollectingSink<InferenceResult<String>> deadLetters = new CollectingSink<>("slow-dead");
        SageMakerAsyncInference.deadLetters(results).sinkTo(deadLetters);
        CloseableIterator<InferenceResult<String>> iterator = results.collectAsync();
        JobClient job = env.executeAsync("timeouts");
        List<InferenceResult<String>> all = new ArrayList<>();
        long dropped = 0;
        try (iterator) {
            while (all.size() < 2 && iterator.hasNext()) {
                all.add(iterator.next());
            }
            // The outputs land ~3 s after the deadline; the join must drop and count both.
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dropped < 2 && System.nanoTime() < until) {
                Thread.sleep(100);
                dropped = counterSum(job.getJobID(), "sagemakerAsync.duplicatesDropped");
            }
        } finally {
            job.cancel().get();
        }

        assertThat(dropped).as("late outputs dropped and counted").isEqualTo(2);
        assertThat(all)
                .hasSize(2)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(InferenceStatus.TIMED_OUT));
        assertThat(deadLetters.collected())
                .as("the late outputs never became results: only the timeouts are dead letters")
                .hasSize(2)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(InferenceStatus.TIMED_OUT));
    }

    @Test
    void stopWithSavepointAndRestoreMidStreamLosesNothing(@TempDir Path savepoints)
            throws Exception {
        String endpoint = "savepoint";
        register(
                endpoint,
                OutputNaming.RANDOM,
                FaultInjection.builder()
                        .latency(Duration.ofMillis(1_500), Duration.ofMillis(2_500))
                        .build());
        List<String> elements = elements(300, 42);
        CollectingSink<InferenceResult<String>> sink = new CollectingSink<>("savepoint-results");

        StreamExecutionEnvironment first = environment(new Configuration());
        inference(endpoint)
                .build()
                .apply(first.fromData(Types.STRING, elements.toArray(new String[0])))
                .sinkTo(sink)
                .uid("results-sink");
        long submittedBefore = submitted();
        JobClient job = first.executeAsync("before savepoint");
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (submitted() - submittedBefore < 200 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        String savepoint =
                job.stopWithSavepoint(
                                false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        int beforeRestore = sink.collected().size();
        assertThat(beforeRestore)
                .as("pending inferences were in state at the savepoint")
                .isLessThan(300);

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = environment(restore);
        inference(endpoint)
                .build()
                .apply(second.fromData(Types.STRING, elements.toArray(new String[0])))
                .sinkTo(sink)
                .uid("results-sink");
        JobClient restored = second.executeAsync("after savepoint");
        until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (sink.collected().size() < elements.size() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        // A duplicate would arrive right behind the last expected result: give it a moment to.
        Thread.sleep(1_000);
        restored.cancel().get();
        assertThat(restored.getJobStatus().get()).isIn(JobStatus.CANCELED, JobStatus.CANCELLING);

        List<String> ids =
                sink.collected().stream()
                        .map(InferenceResult::inferenceId)
                        .collect(Collectors.toList());
        assertThat(ids)
                .as("every element exactly once across the savepoint")
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 300).mapToObj(i -> "item-" + i).toList());
    }

    private static long counterSum(org.apache.flink.api.common.JobID jobId, String name) {
        return REPORTER.findMetrics(jobId, name).values().stream()
                .mapToLong(metric -> ((org.apache.flink.metrics.Counter) metric).getCount())
                .sum();
    }

    private static long submitted() {
        return local.counters().invocations(InvocationKind.INLINE)
                + local.counters().invocations(InvocationKind.INPUT_LOCATION);
    }
}
