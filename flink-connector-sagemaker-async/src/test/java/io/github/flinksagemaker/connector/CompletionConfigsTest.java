package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.CompletionOptions.CompletionMode;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What the one-call API derives from its options to learn of completions: the listing source's
 * configuration, filled in from the submit side where the user left it open, and in completion mode
 * SQS the notification source's, limited to the endpoint's own notifications.
 */
class CompletionConfigsTest {
    private static final long SUBMIT = Instant.parse("2026-11-25T13:45:00Z").toEpochMilli();
    private static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/results";

    /** The options the one-call builder holds for a plain job, before any completion option. */
    private static Configuration options() {
        Configuration options = new Configuration();
        options.set(SubmitOptions.ENDPOINT_NAME, "reviews");
        options.set(AwsConfigOptions.AWS_REGION, "eu-west-1");
        options.set(WatchOptions.OUTPUT_PATH, "s3://bucket/async/output");
        options.set(WatchOptions.FAILURE_PATH, "s3://bucket/async/failure");
        options.set(
                SubmitOptions.OUTPUT_PATH_EXTENSION,
                SageMakerAsyncInference.DEFAULT_OUTPUT_PATH_EXTENSION);
        return options;
    }

    private static Configuration sqsOptions() {
        Configuration options = options();
        options.set(CompletionOptions.MODE, CompletionMode.SQS);
        options.set(CompletionOptions.SQS_QUEUE_URL, QUEUE);
        return options;
    }

    private static CompletionConfigs derive(Configuration options) {
        return CompletionConfigs.derive(options, SubmitConfig.from(options));
    }

    @Test
    void theOutputAndFailurePathsAreTheWatchedPrefixes() {
        WatchConfig watch = derive(options()).watch();

        assertThat(watch.prefixes())
                .extracting(WatchConfig.WatchedPrefix::root, WatchConfig.WatchedPrefix::status)
                .containsExactly(
                        tuple(new S3Location("bucket", "async/output"), ResultStatus.SUCCESS),
                        tuple(new S3Location("bucket", "async/failure"), ResultStatus.MODEL_ERROR));
    }

    @Test
    void theWatchListsTheTimeBucketsOfAnOutputPathExtensionWithPlaceholders() {
        WatchConfig watch = derive(options()).watch();

        assertThat(watch.timeBuckets()).isNotNull();
        assertThat(watch.timeBuckets().render(SUBMIT)).isEqualTo("results/2026/11/25/13");
    }

    @Test
    void aFlatOutputPathExtensionIsListedWhole() {
        Configuration options = options();
        options.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "results");

        assertThat(derive(options).watch().timeBuckets()).isNull();
    }

    @Test
    void explicitTimeBucketsWinOverTheOutputPathExtension() {
        Configuration options = options();
        options.set(WatchOptions.TIME_BUCKETS, "results/{yyyy}/{MM}/{dd}");

        assertThat(derive(options).watch().timeBuckets().render(SUBMIT))
                .isEqualTo("results/2026/11/25");
    }

    @Test
    void bucketsStayOpenForTheSubmitSidesResultWindowUnlessSet() {
        Configuration options = options();
        options.set(SubmitOptions.RESULT_TIMEOUT, Duration.ofHours(2));
        assertThat(derive(options).watch().bucketLifetime()).isEqualTo(Duration.ofHours(2));

        Configuration defaults = options();
        assertThat(derive(defaults).watch().bucketLifetime())
                .isEqualTo(Duration.ofMillis(SubmitConfig.from(defaults).resultWindowMillis()));

        options.set(WatchOptions.BUCKET_LIFETIME, Duration.ofHours(5));
        assertThat(derive(options).watch().bucketLifetime()).isEqualTo(Duration.ofHours(5));
    }

    /** Earlier results belong to no element of this job. */
    @Test
    void theWatchStartsFromNowUnlessSet() {
        assertThat(derive(options()).watch().startFrom()).isEqualTo(WatchOptions.StartFrom.NOW);

        Configuration options = options();
        options.set(WatchOptions.START_FROM, WatchOptions.StartFrom.EARLIEST);
        assertThat(derive(options).watch().startFrom()).isEqualTo(WatchOptions.StartFrom.EARLIEST);
    }

    @Test
    void watchOptionsPassThrough() {
        Configuration options = options();
        options.set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(750));
        options.set(WatchOptions.MAX_CONTENT_BYTES, new MemorySize(4096));
        options.set(WatchOptions.FETCH_CONCURRENCY, 3);

        WatchConfig watch = derive(options).watch();

        assertThat(watch.discoveryInterval()).isEqualTo(Duration.ofMillis(750));
        assertThat(watch.maxContentBytes()).isEqualTo(4096);
        assertThat(watch.fetchConcurrency()).isEqualTo(3);
    }

    @Test
    void theAwsOptionsReachBothCompletionSources() {
        Configuration options = sqsOptions();
        options.set(AwsConfigOptions.AWS_ENDPOINT, "http://localhost:4566");
        options.addAll(
                Configuration.fromMap(
                        Map.of(
                                "aws.credentials.provider", "BASIC",
                                "aws.credentials.provider.basic.accesskeyid", "AKID",
                                "aws.credentials.provider.basic.secretkey", "SECRET")));

        CompletionConfigs completion = derive(options);

        for (Configuration clients :
                new Configuration[] {
                    completion.watch().configuration(), completion.sqs().configuration()
                }) {
            assertThat(clients.toMap())
                    .containsEntry("aws.region", "eu-west-1")
                    .containsEntry("aws.endpoint", "http://localhost:4566")
                    .containsEntry("aws.credentials.provider", "BASIC")
                    .containsEntry("aws.credentials.provider.basic.accesskeyid", "AKID")
                    .containsEntry("aws.credentials.provider.basic.secretkey", "SECRET");
        }
    }

    @Test
    void listingIsTheDefaultAndHasNoNotificationSource() {
        CompletionConfigs completion = derive(options());

        assertThat(completion.mode()).isEqualTo(CompletionMode.S3_LISTING);
        assertThatThrownBy(completion::sqs)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("S3_LISTING");
    }

    @Test
    void inModeSqsTheNotificationSourceReadsTheQueue() {
        Configuration options = sqsOptions();
        options.set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(5));
        options.set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofMinutes(2));
        options.set(WatchOptions.MAX_CONTENT_BYTES, new MemorySize(4096));

        CompletionConfigs completion = derive(options);
        SqsCompletionConfig sqs = completion.sqs();

        assertThat(completion.mode()).isEqualTo(CompletionMode.SQS);
        assertThat(sqs.queueUrl()).isEqualTo(QUEUE);
        assertThat(sqs.waitTime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(sqs.visibilityTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(sqs.maxContentBytes()).isEqualTo(4096);
    }

    /** Other endpoints' messages are left in the queue for their own jobs. */
    @Test
    void inModeSqsOnlyTheEndpointsOwnNotificationsAreTaken() {
        SqsCompletionConfig sqs = derive(sqsOptions()).sqs();

        assertThat(sqs.isOwnEndpoint("reviews")).isTrue();
        assertThat(sqs.isOwnEndpoint("another-endpoint")).isFalse();
        assertThat(sqs.isOwnEndpoint(null)).as("a message that does not say").isTrue();
    }

    /** The listing source's configuration also serves the join's location checks in mode SQS. */
    @Test
    void inModeSqsTheWatchIsDerivedToo() {
        assertThat(derive(sqsOptions()).watch().timeBuckets().render(SUBMIT))
                .isEqualTo("results/2026/11/25/13");
    }

    @Test
    void theUsersOptionsAreLeftAsTheyWere() {
        Configuration options = sqsOptions();
        Configuration before = new Configuration(options);

        derive(options);

        assertThat(options).isEqualTo(before);
    }

    @Test
    void modeSqsWithoutAQueueIsRefusedNamingTheOption() {
        Configuration options = options();
        options.set(CompletionOptions.MODE, CompletionMode.SQS);

        assertThatThrownBy(() -> derive(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Option 'sagemaker.completion.sqs.queue-url' is required");
    }

    @Test
    void aQueueNameInsteadOfItsUrlIsRefusedNamingTheOption() {
        Configuration options = sqsOptions();
        options.set(CompletionOptions.SQS_QUEUE_URL, "results");

        assertThatThrownBy(() -> derive(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Invalid value 'results' for option 'sagemaker.completion.sqs.queue-url'")
                .hasMessageContaining("not an ARN or a queue name");
    }

    /** The listing's options are checked in either mode, before the queue's. */
    @Test
    void anInvalidWatchOptionIsRefusedNamingItInEitherMode() {
        for (Configuration options : new Configuration[] {options(), sqsOptions()}) {
            options.set(WatchOptions.DISCOVERY_INTERVAL, Duration.ZERO);
            options.set(CompletionOptions.SQS_WAIT_TIME, Duration.ofSeconds(30));

            assertThatThrownBy(() -> derive(options))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("for option 'sagemaker.watch.discovery-interval'")
                    .hasMessageContaining("positive durations");
        }
    }

    @Test
    void anUnknownCompletionModeIsRefusedNamingTheModes() {
        Configuration options = options();
        options.addAll(Configuration.fromMap(Map.of("sagemaker.completion.mode", "POLLING")));

        assertThatThrownBy(() -> derive(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'sagemaker.completion.mode'")
                .hasMessageContaining("S3_LISTING")
                .hasMessageContaining("SQS");
    }
}
