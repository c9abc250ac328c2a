package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitConfig;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * The one-call builder's own settings: each reaches the submit configuration or the operators it
 * names, a bad value fails where it is set naming the setter and the option, and the pipeline built
 * without them is the one existing savepoints were taken of.
 */
class SageMakerAsyncInferenceBuilderTest {
    private static final String QUEUE_URL =
            "https://sqs.eu-west-1.amazonaws.com/123456789012/reviews-results";

    private static SageMakerAsyncInference.Builder<String, String> builder() {
        return SageMakerAsyncInference.<String>builder()
                .endpointName("reviews")
                .region("eu-west-1")
                .outputPath("s3://bucket/async/output")
                .failurePath("s3://bucket/async/failure")
                .serializer(s -> SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eachSubmitSettingReachesTheSubmitConfiguration() {
        SubmitConfig config =
                builder()
                        .contentType("application/json")
                        .accept("text/csv")
                        .capacity(7)
                        .submitTimeout(Duration.ofSeconds(90))
                        .requestTtl(Duration.ofMinutes(10))
                        .invocationTimeout(Duration.ofMinutes(2))
                        .build()
                        .submitFunction()
                        .config();

        assertThat(config.contentType()).isEqualTo("application/json");
        assertThat(config.accept()).isEqualTo("text/csv");
        assertThat(config.capacity()).isEqualTo(7);
        assertThat(config.submitTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.requestTtlSeconds()).isEqualTo(600);
        assertThat(config.invocationTimeoutSeconds()).isEqualTo(120);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("contentType", "sagemaker.content-type", b -> b.contentType("ü")),
                bad("contentType", "sagemaker.content-type", b -> b.contentType(null)),
                bad("accept", "sagemaker.accept", b -> b.accept("a".repeat(1025))),
                bad("capacity", "sagemaker.submit.capacity", b -> b.capacity(0)),
                bad(
                        "submitTimeout",
                        "sagemaker.submit.timeout",
                        b -> b.submitTimeout(Duration.ZERO)),
                bad(
                        "requestTtl",
                        "sagemaker.request-ttl",
                        b -> b.requestTtl(Duration.ofSeconds(59))),
                bad(
                        "invocationTimeout",
                        "sagemaker.invocation-timeout",
                        b -> b.invocationTimeout(Duration.ofMillis(1_500))));
    }

    private static Arguments bad(
            String setter,
            String option,
            UnaryOperator<SageMakerAsyncInference.Builder<String, String>> set) {
        return Arguments.of(setter, option, set);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void aBadValueFailsWhereItIsSetNamingTheSetterAndTheOption(
            String setter,
            String option,
            UnaryOperator<SageMakerAsyncInference.Builder<String, String>> set) {
        assertThatThrownBy(() -> set.apply(builder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(setter + "(")
                .hasMessageContaining("'" + option + "'");
    }

    @Test
    void aBadParallelismFailsWhereItIsSetNamingTheSetter() {
        assertThatThrownBy(() -> builder().submitParallelism(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("submitParallelism(0): allowed are integers from 1 to");
        assertThatThrownBy(() -> builder().resultSourceParallelism(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("resultSourceParallelism(-1): allowed are");
        assertThatThrownBy(() -> builder().joinParallelism(32_769))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("joinParallelism(32769): allowed are integers from 1 to")
                .hasMessageContaining("32768");
    }

    /**
     * The uids of the pipeline as it has always been built, by default and in each completion mode:
     * what existing savepoints map their state by. Switching modes drops the state of the operators
     * only one mode has.
     */
    @Test
    void byDefaultEveryOperatorHasTheJobsParallelismAndItsUidFollowsTheEndpoint() {
        assertThat(parallelismByUid(builder()))
                .containsExactly(
                        entry("sagemaker-async-reviews-claims", 2),
                        entry("sagemaker-async-reviews-deadline-check", 2),
                        entry("sagemaker-async-reviews-id-guard", 2),
                        entry("sagemaker-async-reviews-join", 2),
                        entry("sagemaker-async-reviews-results", 2),
                        entry("sagemaker-async-reviews-split-rejected", 2),
                        entry("sagemaker-async-reviews-submit", 2),
                        entry("sagemaker-async-reviews-tag", 2),
                        entry("sagemaker-async-reviews-watch", 2));
        assertThat(parallelismByUid(builder().sqsCompletion(QUEUE_URL)))
                .containsExactly(
                        entry("sagemaker-async-reviews-deadline-check", 2),
                        entry("sagemaker-async-reviews-id-guard", 2),
                        entry("sagemaker-async-reviews-join", 2),
                        entry("sagemaker-async-reviews-notifications", 2),
                        entry("sagemaker-async-reviews-results", 2),
                        entry("sagemaker-async-reviews-split-rejected", 2),
                        entry("sagemaker-async-reviews-submit", 2));
    }

    /** The recipe for moving to another endpoint: the old prefix keeps every uid. */
    @Test
    void aUidPrefixKeepsTheUidsWhenTheEndpointChanges() {
        Map<String, Integer> moved =
                parallelismByUid(
                        builder().endpointName("reviews-v2").uidPrefix("sagemaker-async-reviews"));

        assertThat(moved).isEqualTo(parallelismByUid(builder()));
    }

    @Test
    void eachPartsParallelismReachesItsOperators() {
        SageMakerAsyncInference.Builder<String, String> builder =
                builder().submitParallelism(3).resultSourceParallelism(1).joinParallelism(4);

        assertThat(parallelismByUid(builder))
                .containsExactly(
                        entry("sagemaker-async-reviews-claims", 3),
                        entry("sagemaker-async-reviews-deadline-check", 4),
                        entry("sagemaker-async-reviews-id-guard", 3),
                        entry("sagemaker-async-reviews-join", 4),
                        entry("sagemaker-async-reviews-results", 4),
                        entry("sagemaker-async-reviews-split-rejected", 3),
                        entry("sagemaker-async-reviews-submit", 3),
                        entry("sagemaker-async-reviews-tag", 4),
                        entry("sagemaker-async-reviews-watch", 1));
        assertThat(
                        parallelismByUid(
                                builder()
                                        .submitParallelism(3)
                                        .resultSourceParallelism(1)
                                        .joinParallelism(4)
                                        .sqsCompletion(QUEUE_URL)))
                .containsEntry("sagemaker-async-reviews-notifications", 1)
                .containsEntry("sagemaker-async-reviews-join", 4)
                .containsEntry("sagemaker-async-reviews-submit", 3);
    }

    /** The split is one operator after the results, only in jobs that ask for it. */
    @Test
    void splittingDeadLettersAddsOneChainableOperatorOnlyWhenAskedFor() {
        StreamExecutionEnvironment env = environment();
        SingleOutputStreamOperator<InferenceResult<String>> results =
                builder().inferenceIdExtractor(s -> s).joinParallelism(3).build().apply(input(env));
        SageMakerAsyncInference.SplitResults<String> split =
                SageMakerAsyncInference.splitDeadLetters(results);
        split.successes().print();
        split.deadLetters().print();

        Map<String, Integer> parallelism = parallelismByUid(env.getStreamGraph());
        assertThat(parallelism)
                .containsEntry("sagemaker-async-reviews-results-split", 3)
                .hasSize(parallelismByUid(builder()).size() + 1);
    }

    private static StreamExecutionEnvironment environment() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        return env;
    }

    private static DataStream<String> input(StreamExecutionEnvironment env) {
        return env.fromData(Types.STRING, "a", "b").uid("input");
    }

    /** Parallelism by uid of the pipeline's operators, for an input with an ID extractor. */
    private static Map<String, Integer> parallelismByUid(
            SageMakerAsyncInference.Builder<String, String> builder) {
        StreamExecutionEnvironment env = environment();
        builder.inferenceIdExtractor(s -> s).build().apply(input(env)).print();
        return parallelismByUid(env.getStreamGraph());
    }

    private static Map<String, Integer> parallelismByUid(StreamGraph graph) {
        Map<String, Integer> byUid = new TreeMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            String uid = node.getTransformationUID();
            if (uid != null && uid.startsWith("sagemaker-async-")) {
                byUid.put(uid, node.getParallelism());
            }
        }
        return byUid;
    }
}
