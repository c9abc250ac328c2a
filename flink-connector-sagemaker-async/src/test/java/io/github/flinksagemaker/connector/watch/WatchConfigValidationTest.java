package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.config.WatchOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every missing or invalid watch option fails {@code build()} naming the option. */
class WatchConfigValidationTest {

    private static SageMakerAsyncResultSource.Builder<InferenceOutput> valid() {
        return SageMakerAsyncResultSource.builder().region("us-east-1").outputPrefix("s3://b/out");
    }

    @Test
    void watchesTheConfiguredPrefixesWithTheirStatus() {
        WatchConfig config = valid().failurePrefix("s3://b/failed").build().config();
        assertThat(config.prefixes())
                .extracting(WatchConfig.WatchedPrefix::id)
                .containsExactly("SUCCESS s3://b/out", "FAILURE s3://b/failed");
    }

    @Test
    void needsAtLeastOnePrefix() {
        assertThatThrownBy(() -> SageMakerAsyncResultSource.builder().region("us-east-1").build())
                .hasMessageContaining("'sagemaker.watch.output-prefix'")
                .hasMessageContaining("'sagemaker.watch.failure-prefix'");
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                invalid("aws.region", b -> b.region("nowhere")),
                invalid("sagemaker.watch.output-prefix", b -> b.outputPrefix("b/out")),
                invalid("sagemaker.watch.failure-prefix", b -> b.failurePrefix("https://b/x")),
                invalid("sagemaker.watch.time-buckets", b -> b.timeBuckets("no-placeholders")),
                invalid("sagemaker.watch.time-buckets", b -> b.timeBuckets("r/{HH} x")),
                invalid(
                        "sagemaker.watch.discovery-interval",
                        b -> b.discoveryInterval(Duration.ZERO)),
                invalid(
                        "sagemaker.watch.lookback",
                        b -> b.set(WatchOptions.LOOKBACK, Duration.ofSeconds(-1))),
                invalid(
                        "sagemaker.watch.bucket-lifetime",
                        b -> b.set(WatchOptions.BUCKET_LIFETIME, Duration.ZERO)),
                invalid(
                        "sagemaker.watch.max-content-bytes",
                        b -> b.set(WatchOptions.MAX_CONTENT_BYTES, -1)),
                invalid(
                        "sagemaker.watch.fetch-concurrency",
                        b -> b.set(WatchOptions.FETCH_CONCURRENCY, 0)),
                invalid(
                        "sagemaker.watch.splits-per-request",
                        b -> b.set(WatchOptions.SPLITS_PER_REQUEST, 0)));
    }

    private static Arguments invalid(
            String option,
            UnaryOperator<SageMakerAsyncResultSource.Builder<InferenceOutput>> change) {
        return Arguments.of(option, change);
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("invalidOptions")
    void anInvalidOptionIsNamed(
            String option,
            UnaryOperator<SageMakerAsyncResultSource.Builder<InferenceOutput>> change) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + option + "'");
    }
}
