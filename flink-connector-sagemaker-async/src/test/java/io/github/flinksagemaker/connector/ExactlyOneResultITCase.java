package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.CollectingSink;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.Jobs;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalEndpointConfig;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exactly one correct result per element where IDs repeat, where the service places results
 * differently than assumed, and where elements are rejected: never silence, never one element
 * answered with another's output.
 */
class ExactlyOneResultITCase {
    private static final Duration STALL = Duration.ofSeconds(60);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    private static SageMakerAsyncInference.Builder<String, String> inference(String endpoint) {
        return SageMakerAsyncInference.<String>builder()
                .setAll(LOCAL.awsConfig())
                .endpointName(endpoint)
                .outputPath(LOCAL.prefix(endpoint, "output"))
                .failurePath(LOCAL.prefix(endpoint, "failure"))
                .s3InputPrefix(LOCAL.prefix(endpoint, "input"))
                .serializer(element -> SerializedRequest.of(payloadOf(element)))
                .inferenceIdExtractor(ExactlyOneResultITCase::idOf);
    }

    /** An element "id:fill:size": a user-supplied ID and its own payload of one letter. */
    static String element(String id, char fill, int size) {
        return id + ":" + fill + ":" + size;
    }

    static String idOf(String element) {
        return element.split(":")[0];
    }

    static byte[] payloadOf(String element) {
        String[] parts = element.split(":");
        byte[] payload = new byte[Integer.parseInt(parts[2])];
        Arrays.fill(payload, (byte) parts[1].charAt(0));
        return payload;
    }

    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(500);
        return env;
    }

    @Test
    void aRepeatedIdIsRejectedBeforeSubmissionAndTheFirstElementKeepsItsOwnAnswer()
            throws Exception {
        String endpoint = "repeated-ids";
        LOCAL.local()
                .registerEndpoint(LOCAL.endpointConfig(endpoint).model(new DigestModel()).build());
        // 200 elements; the last 20 reuse the IDs of the first 20 with other payloads, and every
        // fifth of those goes through S3, where both would share an input key.
        List<String> elements =
                IntStream.range(0, 200)
                        .mapToObj(
                                i -> {
                                    int id = i < 180 ? i : i - 180;
                                    int size = id < 20 && id % 5 == 0 ? 200_000 : 64;
                                    return element("id-" + id, i < 180 ? 'a' : 'z', size);
                                })
                        .toList();

        StreamExecutionEnvironment env = environment();
        SingleOutputStreamOperator<InferenceResult<String>> results =
                inference(endpoint)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])));
        CloseableIterator<InferenceResult<String>> iterator = results.collectAsync();
        JobClient job = env.executeAsync("repeated ids");
        List<InferenceResult<String>> all;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            long until = System.nanoTime() + STALL.toNanos();
            while (collector.size() < 200) {
                assertThat(System.nanoTime())
                        .as("200 results in time, %d so far", collector.size())
                        .isLessThan(until);
                Thread.sleep(50);
            }
            all = collector.andNothingMoreFor(Duration.ofSeconds(3));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(all).as("exactly one result per element").hasSize(200);
        List<InferenceResult<String>> rejected =
                all.stream().filter(r -> r.status() == InferenceStatus.REJECTED).toList();
        assertThat(rejected)
                .hasSize(20)
                .allSatisfy(
                        r -> {
                            assertThat(r.element()).as("the later one").contains(":z:");
                            assertThat(r.errorMessage())
                                    .startsWith("DUPLICATE_INFERENCE_ID")
                                    .contains("'" + r.inferenceId() + "'");
                        });
        Map<String, InferenceResult<String>> answered =
                all.stream()
                        .filter(r -> r.status() != InferenceStatus.REJECTED)
                        .collect(
                                Collectors.toMap(
                                        InferenceResult::inferenceId, Function.identity()));
        assertThat(answered).hasSize(180);
        for (String element : elements.subList(0, 180)) {
            InferenceResult<String> result = answered.get(idOf(element));
            assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
            assertThat(result.element()).isEqualTo(element);
            assertThat(result.output())
                    .as("answered from its own payload: %s", element)
                    .isEqualTo(DigestModel.digest(payloadOf(element)));
            assertThat(result.path())
                    .isEqualTo(
                            payloadOf(element).length > 128_000
                                    ? SubmitPath.S3
                                    : SubmitPath.INLINE);
        }
        assertThat(LOCAL.counters().invocationsById())
                .as("nothing was invoked for the later elements")
                .allSatisfy(
                        (id, count) -> {
                            if (id.startsWith("id-")) {
                                assertThat(count).isEqualTo(1L);
                            }
                        });
    }

    @Test
    void aResultLocationTheJobNeverListsFailsTheJobNamingItAndThePrefixes() throws Exception {
        String endpoint = "misrouted";
        LOCAL.local()
                .registerEndpoint(
                        LocalEndpointConfig.builder(endpoint)
                                .s3OutputPath(LOCAL.prefix(endpoint, "somewhere-else"))
                                .s3FailurePath(LOCAL.prefix(endpoint, "failure"))
                                .model(new DigestModel())
                                .build());
        StreamExecutionEnvironment env = environment();
        inference(endpoint)
                .build()
                .apply(
                        env.fromData(
                                Types.STRING,
                                IntStream.range(0, 20)
                                        .mapToObj(i -> element("m-" + i, 'a', 10))
                                        .toArray(String[]::new)))
                .collectAsync();
        JobClient job = env.executeAsync("misrouted");

        assertThatThrownBy(() -> job.getJobExecutionResult().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasRootCauseInstanceOf(FatalAwsException.class)
                .rootCause()
                .hasMessageContaining("OutputLocation " + LOCAL.prefix(endpoint, "somewhere-else"))
                .hasMessageContaining("never lists")
                .hasMessageContaining(LOCAL.prefix(endpoint, "output") + "/");
    }

    @Test
    void failureObjectsOutsideTheTimeBucketsAreFoundPromptly() throws Exception {
        String endpoint = "flat-failures";
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .extensionAppliesToFailures(false)
                                .model(new DigestModel())
                                .build());
        List<String> elements =
                IntStream.range(0, 30)
                        .mapToObj(i -> element("f-" + i, i % 3 == 0 ? 'E' : 'a', 16))
                        .toList();
        StreamExecutionEnvironment env = environment();
        CloseableIterator<InferenceResult<String>> iterator =
                inference(endpoint)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])))
                        .collectAsync();
        JobClient job = env.executeAsync("flat failures");
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            results =
                    collector.awaitKeys(
                            elements.stream().map(ExactlyOneResultITCase::idOf).toList(),
                            InferenceResult::inferenceId,
                            STALL);
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(results)
                .filteredOn(r -> r.element().contains(":E:"))
                .hasSize(10)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).isEqualTo(InferenceStatus.MODEL_ERROR);
                            assertThat(r.resultLocation())
                                    .as("directly below the failure prefix, not in a time bucket")
                                    .matches(LOCAL.prefix(endpoint, "failure") + "/[^/]+");
                            assertThat(r.latencyMillis())
                                    .as("found by listing, not hours later")
                                    .isLessThan(30_000);
                        });
    }

    @Test
    void aRejectedElementGetsOneResultAndReachesTheDeadLetters() throws Exception {
        String endpoint = "rejections";
        LOCAL.local()
                .registerEndpoint(LOCAL.endpointConfig(endpoint).model(new DigestModel()).build());
        List<String> elements =
                List.of(
                        element("ok-1", 'a', 10),
                        element("too-large", 'a', 200_000),
                        element("ok-2", 'a', 10));
        StreamExecutionEnvironment env = environment();
        SingleOutputStreamOperator<InferenceResult<String>> results =
                SageMakerAsyncInference.<String>builder()
                        .setAll(LOCAL.awsConfig())
                        .endpointName(endpoint)
                        .outputPath(LOCAL.prefix(endpoint, "output"))
                        .failurePath(LOCAL.prefix(endpoint, "failure"))
                        .serializer(element -> SerializedRequest.of(payloadOf(element)))
                        .inferenceIdExtractor(ExactlyOneResultITCase::idOf)
                        .build()
                        .apply(env.fromData(Types.STRING, elements.toArray(new String[0])));
        CollectingSink<InferenceResult<String>> deadLetters =
                new CollectingSink<>("rejections-dead-letters");
        SageMakerAsyncInference.deadLetters(results).sinkTo(deadLetters);
        CloseableIterator<InferenceResult<String>> iterator = results.collectAsync();
        JobClient job = env.executeAsync("rejections");
        List<InferenceResult<String>> all;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            collector.awaitKeys(
                    List.of("ok-1", "too-large", "ok-2"), InferenceResult::inferenceId, STALL);
            all = collector.andNothingMoreFor(Duration.ofSeconds(2));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(all).hasSize(3);
        assertThat(deadLetters.collected())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.inferenceId()).isEqualTo("too-large");
                            assertThat(r.status()).isEqualTo(InferenceStatus.REJECTED);
                            assertThat(r.errorMessage())
                                    .startsWith("PAYLOAD_TOO_LARGE")
                                    .contains("sagemaker.s3.input-prefix");
                            assertThat(r.element()).isEqualTo(element("too-large", 'a', 200_000));
                        });
    }

    /**
     * Passes elements on slowly, so that they are submitted across checkpoints, and fails the job
     * once, midway: what was submitted after the restored checkpoint is replayed.
     */
    private static final class FailingOnceMidway implements MapFunction<String, String> {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final int failAt;
        private int seen;

        FailingOnceMidway(int failAt) {
            this.failAt = failAt;
        }

        @Override
        public String map(String element) throws Exception {
            Thread.sleep(20);
            if (++seen == failAt && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("A failover for the test");
            }
            return element;
        }
    }

    @Test
    void withoutAnExtractorAReplayGetsANewIdAndEveryElementExactlyOneResultOfItsOwn()
            throws Exception {
        String endpoint = "replays-without-ids";
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(endpoint)
                                .model(new DigestModel())
                                .faults(
                                        FaultInjection.builder()
                                                .latency(
                                                        Duration.ofMillis(100),
                                                        Duration.ofMillis(500))
                                                .build())
                                .build());
        List<String> elements =
                IntStream.range(0, 100)
                        .mapToObj(i -> element("r-" + i, (char) ('a' + i % 26), 16 + i))
                        .toList();
        Set<String> invokedBefore = Set.copyOf(LOCAL.counters().invocationsById().keySet());
        FailingOnceMidway.FAILED.set(false);

        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        DataStream<String> input =
                env.fromData(Types.STRING, elements.toArray(new String[0]))
                        .map(new FailingOnceMidway(25))
                        .returns(Types.STRING);
        CloseableIterator<InferenceResult<String>> iterator =
                SageMakerAsyncInference.<String>builder()
                        .setAll(LOCAL.awsConfig())
                        .endpointName(endpoint)
                        .outputPath(LOCAL.prefix(endpoint, "output"))
                        .failurePath(LOCAL.prefix(endpoint, "failure"))
                        .serializer(element -> SerializedRequest.of(payloadOf(element)))
                        .build()
                        .apply(input)
                        .collectAsync();
        JobClient job = env.executeAsync("replays without IDs");
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            collector.awaitKeys(elements, InferenceResult::element, STALL);
            results = collector.andNothingMoreFor(Duration.ofSeconds(3));
        } finally {
            Jobs.cancelUnlessEnded(job);
        }

        assertThat(FailingOnceMidway.FAILED).as("the job failed over").isTrue();
        assertThat(results)
                .as("exactly one result per element")
                .hasSize(100)
                .allSatisfy(
                        r -> {
                            assertThat(r.status()).as("%s", r).isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(r.output())
                                    .as("answered from its own payload: %s", r.element())
                                    .isEqualTo(DigestModel.digest(payloadOf(r.element())));
                        });
        Set<String> answeredIds =
                results.stream().map(InferenceResult::inferenceId).collect(Collectors.toSet());
        assertThat(answeredIds).hasSize(100);
        Set<String> invoked = new HashSet<>(LOCAL.counters().invocationsById().keySet());
        invoked.removeAll(invokedBefore);
        assertThat(invoked).containsAll(answeredIds);
        assertThat(invoked.size())
                .as("replays invoked again under new IDs; the first invocations answer nothing")
                .isGreaterThan(100);
    }
}
