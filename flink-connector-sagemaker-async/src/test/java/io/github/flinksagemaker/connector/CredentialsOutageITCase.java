package io.github.flinksagemaker.connector;

import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.testutils.DigestModel;
import io.github.flinksagemaker.connector.testutils.JobMetrics;
import io.github.flinksagemaker.connector.testutils.LocalEndpointExtension;
import io.github.flinksagemaker.connector.testutils.ResultCollector;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalContainerCredentials;
import io.github.flinksagemaker.local.LocalCounters.InvocationKind;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The credentials provider failing for a moment right after a failover, as the ECS/EKS container
 * credentials endpoint can when every task of a restarted job asks at once: the job waits it out
 * and every element succeeds, instead of failing for good on "credentials missing, wrong or
 * expired". The connector takes its credentials the way such a job does, from the SDK's default
 * chain ({@code aws.credentials.provider} AUTO, a new chain per client) and through it from a
 * stand-in of the container credentials endpoint, named by the system property {@code
 * aws.containerCredentialsFullUri} for this class only.
 */
class CredentialsOutageITCase {
    private static final Duration STALL = Duration.ofSeconds(60);
    private static final Duration CREDENTIALS_OUTAGE = Duration.ofSeconds(5);
    private static final String ENDPOINT = "credentials-outage";

    private static final String CONTAINER_CREDENTIALS_FULL_URI = "aws.containerCredentialsFullUri";

    /**
     * Instance metadata comes after the container endpoint in the chain: on an EC2 runner it would
     * answer, with other credentials, while the stand-in refuses.
     */
    private static final String EC2_METADATA_DISABLED = "aws.disableEc2Metadata";

    private static final Map<String, String> PROPERTIES_BEFORE = new HashMap<>();

    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();
    private static LocalContainerCredentials credentials;
    private static InMemoryReporter reporter;
    private static MiniCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        assertNothingBeforeTheContainerEndpointInTheDefaultChainAnswers();
        credentials = LocalContainerCredentials.start(LOCAL.local());
        setProperty(CONTAINER_CREDENTIALS_FULL_URI, credentials.uri().toString());
        setProperty(EC2_METADATA_DISABLED, "true");
        reporter = InMemoryReporter.createWithRetainedMetrics();
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 2);
    }

    @AfterAll
    static void stop() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            PROPERTIES_BEFORE.forEach(
                    (name, before) -> {
                        if (before == null) {
                            System.clearProperty(name);
                        } else {
                            System.setProperty(name, before);
                        }
                    });
            if (credentials != null) {
                credentials.close();
            }
        }
    }

    private static void setProperty(String name, String value) {
        PROPERTIES_BEFORE.put(name, System.setProperty(name, value));
    }

    /**
     * The stand-in must be what answers: a source of credentials before the container endpoint in
     * the SDK's default chain would answer instead, and the clients would never meet the outage.
     */
    private static void assertNothingBeforeTheContainerEndpointInTheDefaultChainAnswers() {
        assertThat(System.getProperty("aws.accessKeyId"))
                .as("Unset the system property aws.accessKeyId: it answers before the stand-in")
                .isNull();
        assertThat(System.getenv("AWS_ACCESS_KEY_ID"))
                .as(
                        "Unset the environment variable AWS_ACCESS_KEY_ID: it answers before the"
                                + " stand-in")
                .isNull();
        assertThat(System.getProperty("aws.webIdentityTokenFile"))
                .as(
                        "Unset the system property aws.webIdentityTokenFile: it answers before the"
                                + " stand-in")
                .isNull();
        assertThat(System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE"))
                .as(
                        "Unset the environment variable AWS_WEB_IDENTITY_TOKEN_FILE: it answers"
                                + " before the stand-in")
                .isNull();
        assertThat(System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
                .as(
                        "Unset the environment variable AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: the"
                                + " SDK prefers it to the full URI of the stand-in")
                .isNull();
        assertThat(System.getProperty("aws.containerCredentialsPath"))
                .as(
                        "Unset the system property aws.containerCredentialsPath: the SDK prefers it"
                                + " to the full URI of the stand-in")
                .isNull();
        Throwable noProfile =
                catchThrowable(
                        () -> {
                            try (ProfileCredentialsProvider profile =
                                    ProfileCredentialsProvider.create()) {
                                profile.resolveCredentials();
                            }
                        });
        assertThat(noProfile)
                .as(
                        "Move ~/.aws/credentials and ~/.aws/config away (or unset AWS_PROFILE,"
                                + " AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE) for this test: a"
                                + " profile with credentials answers before the stand-in")
                .isNotNull();
    }

    /** Credentials from the SDK's default chain; no keys in the configuration. */
    private static Configuration defaultChainAwsOptions() {
        Map<String, String> options = new HashMap<>(LOCAL.local().connectorAwsOptions());
        options.keySet().removeIf(key -> key.startsWith("aws.credentials.provider"));
        options.put("aws.credentials.provider", "AUTO");
        return Configuration.fromMap(options);
    }

    private static String prefix(String part) {
        return LOCAL.prefix(ENDPOINT, part);
    }

    private static byte[] payload(String element) {
        return ("p" + element).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void credentialsUnavailableForFiveSecondsAfterARestartDelayTheJobAndEveryElementSucceeds()
            throws Exception {
        LOCAL.local()
                .registerEndpoint(
                        LOCAL.endpointConfig(ENDPOINT)
                                .maxConcurrentInvocations(256)
                                .model(new DigestModel())
                                .faults(
                                        FaultInjection.builder()
                                                .latency(
                                                        Duration.ofMillis(200),
                                                        Duration.ofSeconds(1))
                                                .build())
                                .build());
        List<String> elements = IntStream.range(0, 300).mapToObj(i -> ENDPOINT + "-" + i).toList();

        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        CloseableIterator<InferenceResult<String>> iterator =
                SageMakerAsyncInference.<String>builder()
                        .setAll(defaultChainAwsOptions())
                        .endpointName(ENDPOINT)
                        .outputPath(prefix("output"))
                        .failurePath(prefix("failure"))
                        .s3InputPrefix(prefix("input"))
                        .serializer(element -> SerializedRequest.of(payload(element)))
                        .inferenceIdExtractor(element -> element)
                        .set(SubmitOptions.RETRY_MAX_DELAY, Duration.ofSeconds(2))
                        .set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(200))
                        .build()
                        .apply(
                                env.fromSource(
                                        // Paced at the source, so that checkpoint barriers do
                                        // not queue behind the elements and some are submitted
                                        // after the restart.
                                        new DataGeneratorSource<>(
                                                index -> elements.get(index.intValue()),
                                                elements.size(),
                                                RateLimiterStrategy.perSecond(60),
                                                Types.STRING),
                                        WatermarkStrategy.noWatermarks(),
                                        "elements"))
                        .collectAsync();
        JobClient job = env.executeAsync("credentials outage");
        JobMetrics metrics = new JobMetrics(reporter, job.getJobID());
        long servedBeforeFailure;
        long submittedAtFailure;
        List<InferenceResult<String>> results;
        try (ResultCollector<String> collector = new ResultCollector<>(iterator)) {
            long until = System.nanoTime() + STALL.toNanos();
            while (submitted() < 100 || completedCheckpoints(metrics) < 2) {
                assertThat(System.nanoTime())
                        .as(
                                "100 submissions and 2 checkpoints in time; %d checkpoints, %s",
                                completedCheckpoints(metrics), LOCAL.counters())
                        .isLessThan(until);
                Thread.sleep(20);
            }
            servedBeforeFailure = credentials.served();
            submittedAtFailure = submitted();
            // Every client the restarted job creates asks for credentials within the outage.
            credentials.unavailableFor(CREDENTIALS_OUTAGE);
            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();

            collector.awaitKeys(elements, InferenceResult::inferenceId, STALL);
            // A duplicate would come right after the last expected result: keep watching.
            results = collector.andNothingMoreFor(Duration.ofSeconds(3));
            assertThat(job.getJobStatus().get())
                    .as("the job went on, not failed")
                    .isIn(JobStatus.RUNNING, JobStatus.FINISHED);
        } finally {
            // A failed job cannot be cancelled; the collector reported its failure.
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }

        assertThat(servedBeforeFailure)
                .as("the clients took their credentials from the stand-in before the failure")
                .isPositive();
        assertThat(credentials.refused())
                .as("requests for credentials refused while the restarted job started")
                .isPositive();
        // Each client asks a failing provider at most every 200 ms: a few hundred requests in the
        // 5 s (360 measured), where asking at every attempt made 5,000 to 8,800.
        assertThat(credentials.refused())
                .as("requests for credentials during the outage, all clients together")
                .isLessThan(2_000);
        assertThat(submitted() - submittedAtFailure)
                .as("elements submitted after the restart, by clients that started in the outage")
                .isPositive();
        assertThat(metrics.gauges("numRestarts"))
                .as("the job restarted once, and not again for the credentials")
                .containsExactly(1L);
        assertThat(results)
                .as("one result per element")
                .hasSize(elements.size())
                .allSatisfy(
                        result -> {
                            assertThat(result.status())
                                    .as("%s", result)
                                    .isEqualTo(InferenceStatus.SUCCESS);
                            assertThat(result.output())
                                    .isEqualTo(DigestModel.digest(payload(result.element())));
                        });
    }

    private static long completedCheckpoints(JobMetrics metrics) {
        return metrics.gauges("numberOfCompletedCheckpoints").stream()
                .mapToLong(Long::longValue)
                .max()
                .orElse(0);
    }

    private static long submitted() {
        return LOCAL.counters().invocations(InvocationKind.INLINE)
                + LOCAL.counters().invocations(InvocationKind.INPUT_LOCATION);
    }
}
