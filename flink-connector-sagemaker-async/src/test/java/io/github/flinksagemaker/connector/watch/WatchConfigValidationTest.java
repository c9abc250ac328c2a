package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

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
        return SageMakerAsyncResultSource.builder().region("us-east-1").outputPath("s3://b/out");
    }

    @Test
    void watchesTheConfiguredPrefixesWithTheirStatus() {
        WatchConfig config = valid().failurePath("s3://b/failed").build().config();
        assertThat(config.prefixes())
                .extracting(WatchConfig.WatchedPrefix::id)
                .containsExactly("SUCCESS s3://b/out", "FAILURE s3://b/failed");
    }

    @Test
    void refusesPrefixesThatContainEachOther() {
        for (String[] pair :
                new String[][] {
                    {"s3://b/async", "s3://b/async"},
                    {"s3://b/async", "s3://b/async/failure"},
                    {"s3://b/async/output/", "s3://b/async"}
                }) {
            assertThatThrownBy(() -> valid().outputPath(pair[0]).failurePath(pair[1]).build())
                    .as("%s and %s", pair[0], pair[1])
                    .hasMessageContaining("overlap");
        }
        // A shared start of a name is no overlap: the prefixes are directories.
        assertThat(valid().outputPath("s3://b/out").failurePath("s3://b/out-failures").build())
                .isNotNull();
        assertThat(valid().outputPath("s3://b/x").failurePath("s3://other/x").build()).isNotNull();
    }

    @Test
    void knowsWhichLocationsItsListingsReach() {
        WatchConfig config =
                valid().failurePath("s3://b/failed")
                        .timeBuckets("r/{yyyy}/{MM}/{dd}/{HH}")
                        .build()
                        .config();
        assertThat(config.watches(S3Location.parse("s3://b/out/r/2026/11/29/14/a.out", "x")))
                .isTrue();
        assertThat(
                        config.watches(
                                S3Location.parse("s3://b/failed/r/2026/11/29/14/a-error.out", "x")))
                .isTrue();
        assertThat(config.watches(S3Location.parse("s3://b/failed/a-error.out", "x")))
                .as("failures directly below the failure prefix are listed too")
                .isTrue();
        assertThat(config.watches(S3Location.parse("s3://b/out/a.out", "x")))
                .as("outputs outside the time buckets are not")
                .isFalse();
        assertThat(config.watches(S3Location.parse("s3://b/out/r/2026/11/a.out", "x"))).isFalse();
        assertThat(config.watches(S3Location.parse("s3://b/elsewhere/a.out", "x"))).isFalse();
        assertThat(config.watches(S3Location.parse("s3://c/out/r/2026/11/29/14/a.out", "x")))
                .isFalse();
        assertThat(config.describeWatched())
                .contains("s3://b/out/r/{yyyy}/{MM}/{dd}/{HH}/")
                .contains("directly below s3://b/failed/");
    }

    @Test
    void acceptsMinuteBuckets() {
        WatchConfig config = valid().timeBuckets("r/{yyyy}/{MM}/{dd}/{HH}/{mm}").build().config();
        assertThat(config.watches(S3Location.parse("s3://b/out/r/2026/11/29/14/05/a.out", "x")))
                .isTrue();
        assertThat(config.watches(S3Location.parse("s3://b/out/r/2026/11/29/14/a.out", "x")))
                .isFalse();
    }

    @Test
    void needsAtLeastOnePrefix() {
        assertThatThrownBy(() -> SageMakerAsyncResultSource.builder().region("us-east-1").build())
                .hasMessageContaining("'sagemaker.output-path'")
                .hasMessageContaining("'sagemaker.failure-path'");
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                invalid("aws.region", b -> b.region("nowhere")),
                invalid("sagemaker.output-path", b -> b.outputPath("b/out")),
                invalid("sagemaker.failure-path", b -> b.failurePath("https://b/x")),
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
                        "sagemaker.watch.recent-bucket-margin",
                        b -> b.set(WatchOptions.RECENT_BUCKET_MARGIN, Duration.ofSeconds(-1))),
                invalid(
                        "sagemaker.watch.older-bucket-interval",
                        b -> b.set(WatchOptions.OLDER_BUCKET_INTERVAL, Duration.ZERO)),
                invalid(
                        "sagemaker.watch.max-content-bytes",
                        b -> b.set(text("sagemaker.watch.max-content-bytes"), "-1")),
                invalid(
                        "sagemaker.watch.max-content-bytes",
                        b -> b.set(WatchOptions.MAX_CONTENT_BYTES, MemorySize.parse("2 gb"))),
                invalid(
                        "sagemaker.watch.fetch-concurrency",
                        b -> b.set(WatchOptions.FETCH_CONCURRENCY, 0)),
                invalid(
                        "sagemaker.watch.splits-per-request",
                        b -> b.set(WatchOptions.SPLITS_PER_REQUEST, 0)));
    }

    /** The option as a string, as a properties file or SQL WITH clause gives it. */
    private static ConfigOption<String> text(String key) {
        return ConfigOptions.key(key).stringType().noDefaultValue();
    }

    @Test
    void aContentLimitIsASizeAndAPlainNumberIsBytes() {
        assertThat(valid().build().config().maxContentBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(
                        valid().set(text("sagemaker.watch.max-content-bytes"), "1048576")
                                .build()
                                .config()
                                .maxContentBytes())
                .isEqualTo(1_048_576);
        assertThat(
                        valid().set(text("sagemaker.watch.max-content-bytes"), "64 kb")
                                .build()
                                .config()
                                .maxContentBytes())
                .isEqualTo(65_536);
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
