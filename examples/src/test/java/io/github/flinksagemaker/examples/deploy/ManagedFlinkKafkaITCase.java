package io.github.flinksagemaker.examples.deploy;

import io.github.flinksagemaker.examples.EmbeddedEndpoint;
import io.github.flinksagemaker.examples.Reviews;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Managed Flink application from Kafka to Kafka on a MiniCluster, with an in-process broker and
 * the local endpoint: 5,000 reviews (some over the inline limit, some unparseable, some that the
 * model answers with an error), a TaskManager killed mid-stream. A {@code read_committed} consumer
 * of the output topic sees exactly one correct record per parseable review, and the dead-letter
 * topic holds exactly the unparseable ones.
 */
class ManagedFlinkKafkaITCase {
    private static final int REVIEWS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] UNPARSEABLE_REASONS = {
        "not JSON", "no string field 'id'", "not a JSON object", "not UTF-8 text", "empty record"
    };

    private static LocalSageMakerAsync endpoint;
    private static LocalKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        endpoint =
                EmbeddedEndpoint.start(
                        FaultInjection.builder()
                                .latency(Duration.ofMillis(20), Duration.ofMillis(200))
                                .throttledFraction(0.02)
                                .build());
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            kafka.close();
        } finally {
            endpoint.close();
        }
    }

    @Test
    void exactlyOneCorrectRecordPerParseableReviewThroughATaskManagerFailure() throws Exception {
        Map<String, String> parseable = new LinkedHashMap<>();
        List<String> modelErrors = new ArrayList<>();
        List<byte[]> records = new ArrayList<>();
        Map<String, Integer> expectedDeadLetters = new HashMap<>();
        for (int i = 0; i < REVIEWS; i++) {
            if (i % 100 == 37) {
                int n = i / 100;
                records.add(unparseable(n));
                expectedDeadLetters.merge(
                        deadLetterKey(unparseable(n), UNPARSEABLE_REASONS[n % 5]), 1, Integer::sum);
            } else if (i % 100 == 71) {
                String noText = String.format("{\"id\":\"r-%06d\",\"rating\":3}", i);
                parseable.put(String.format("r-%06d", i), noText);
                modelErrors.add(String.format("r-%06d", i));
                records.add(utf8(noText));
            } else {
                String review = Reviews.generate(i);
                parseable.put(JSON.readTree(review).get("id").asText(), review);
                records.add(utf8(review));
            }
        }
        assertThat(parseable.values().stream().filter(r -> utf8(r).length > 128_000).count())
                .as("reviews over the inline limit")
                .isGreaterThanOrEqualTo(10);
        kafka.createTopic("reviews-in", 4);
        kafka.createTopic("enriched-out", 1);
        kafka.createTopic("dead-letters", 1);
        kafka.produce("reviews-in", records);

        InMemoryReporter reporter = InMemoryReporter.createWithRetainedMetrics();
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(reporter.addToConfiguration(new Configuration()))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(4)
                                .build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 2);
        Map<String, Integer> enrichedCounts = new HashMap<>();
        Map<String, JsonNode> enriched = new HashMap<>();
        Map<String, Integer> deadLetters = new HashMap<>();

        try (ManagedFlinkApplication.Running running =
                        ManagedFlinkApplication.start(
                                StreamExecutionEnvironment.getExecutionEnvironment(),
                                properties(),
                                true);
                LocalKafka.CommittedReader output = kafka.reader("enriched-out");
                LocalKafka.CommittedReader dead = kafka.reader("dead-letters")) {
            JobID jobId = running.job().getJobID();
            boolean killed = false;
            long lastProgress = System.nanoTime();
            long doneAt = 0;
            while (doneAt == 0 || System.nanoTime() - doneAt < 3_000_000_000L) {
                int before = enriched.size() + deadLetters.size();
                for (String record : output.poll(Duration.ofMillis(200))) {
                    JsonNode result = JSON.readTree(record);
                    String id = result.get("id").asText();
                    enrichedCounts.merge(id, 1, Integer::sum);
                    enriched.put(id, result);
                }
                for (String record : dead.poll(Duration.ofMillis(50))) {
                    JsonNode letter = JSON.readTree(record);
                    deadLetters.merge(deadLetterKey(letter), 1, Integer::sum);
                }
                if (enriched.size() + deadLetters.size() > before) {
                    lastProgress = System.nanoTime();
                }
                if (!killed && enriched.size() >= REVIEWS / 5) {
                    cluster.terminateTaskManager(0).get();
                    Thread.sleep(1_000);
                    cluster.startTaskManager();
                    killed = true;
                    lastProgress = System.nanoTime();
                }
                if (doneAt == 0
                        && enriched.keySet().containsAll(parseable.keySet())
                        && deadLetters.size() >= expectedDeadLetters.size()) {
                    doneAt = System.nanoTime(); // read on a little: duplicates would come late
                }
                if (doneAt == 0 && System.nanoTime() - lastProgress > 60_000_000_000L) {
                    TreeSet<String> missing = new TreeSet<>(parseable.keySet());
                    missing.removeAll(enriched.keySet());
                    fail(
                            "No committed record for a minute; %d of %d parseable reviews have"
                                    + " none, e.g. %s; dead letters %s",
                            missing.size(),
                            parseable.size(),
                            missing.stream().limit(20).toList(),
                            deadLetters);
                }
            }
            assertThat(killed).as("the TaskManager was killed mid-stream").isTrue();
            assertThat(restarts(reporter, jobId)).as("the job really restarted").isPositive();
        } finally {
            TestStreamEnvironment.unsetAsContext();
            cluster.close();
        }

        assertThat(enrichedCounts.entrySet().stream().filter(e -> e.getValue() != 1))
                .as("reviews with more than one committed record")
                .isEmpty();
        assertThat(enriched.keySet()).isEqualTo(parseable.keySet());
        for (Map.Entry<String, String> review : parseable.entrySet()) {
            JsonNode result = enriched.get(review.getKey());
            if (modelErrors.contains(review.getKey())) {
                assertThat(result.get("status").asText())
                        .as(review.getKey())
                        .isEqualTo("MODEL_ERROR");
                assertThat(result.get("error").asText()).contains("string field 'text'");
                continue;
            }
            String text = JSON.readTree(review.getValue()).get("text").asText();
            assertThat(result.get("status").asText())
                    .as("%s: %s", review.getKey(), result)
                    .isEqualTo("SUCCESS");
            assertThat(result.get("sentiment"))
                    .as("the model's answer for %s", review.getKey())
                    .isEqualTo(JSON.readTree(SentimentDemoModel.score(text)));
            assertThat(result.get("path").asText())
                    .as(review.getKey())
                    .isEqualTo(utf8(review.getValue()).length > 128_000 ? "S3" : "INLINE");
        }
        assertThat(deadLetters).isEqualTo(expectedDeadLetters);
    }

    /** Unparseable record number {@code n}: each kind in turn, each record distinct. */
    private static byte[] unparseable(int n) {
        return switch (n % UNPARSEABLE_REASONS.length) {
            case 0 -> utf8("{\"id\": \"r-cut-" + n + "\", \"text\": \"no closing");
            case 1 -> utf8("{\"text\": \"review " + n + " without id\"}");
            case 2 -> utf8("[\"an\", \"array\", " + n + "]");
            case 3 -> {
                byte[] digits = utf8(Integer.toString(n));
                byte[] bytes = new byte[digits.length + 2];
                bytes[0] = (byte) 0xC3; // a lead byte without its continuation byte
                bytes[1] = (byte) 0x28;
                System.arraycopy(digits, 0, bytes, 2, digits.length);
                yield bytes;
            }
            default -> utf8(" ".repeat(n)); // blank (or empty): distinct by length
        };
    }

    private static Map<String, Properties> properties() {
        Configuration local = EmbeddedEndpoint.connectorOptions(endpoint);
        Map<String, Properties> groups = new HashMap<>();
        Properties connector = new Properties();
        local.toMap().forEach(connector::setProperty);
        Properties sageMaker = new Properties();
        for (String key :
                List.of(
                        "sagemaker.endpoint-name",
                        "sagemaker.output-path",
                        "sagemaker.failure-path",
                        "sagemaker.s3.input-prefix")) {
            sageMaker.setProperty(key, connector.getProperty(key));
        }
        sageMaker.setProperty("aws.region", endpoint.region());
        for (String key : List.copyOf(connector.stringPropertyNames())) {
            if (!key.startsWith("aws.") && !key.equals("sagemaker.watch.discovery-interval")) {
                connector.remove(key);
            }
        }
        groups.put(AppSettings.ENDPOINT_GROUP, sageMaker);
        groups.put(AppSettings.CONNECTOR_GROUP, connector);
        Properties source = new Properties();
        source.setProperty("type", "kafka");
        source.setProperty("bootstrap.servers", kafka.bootstrapServers());
        source.setProperty("topic", "reviews-in");
        source.setProperty("group.id", "enrichment-it");
        source.setProperty("starting.offsets", "earliest");
        groups.put(AppSettings.SOURCE_GROUP, source);
        Properties sink = new Properties();
        sink.setProperty("type", "kafka");
        sink.setProperty("bootstrap.servers", kafka.bootstrapServers());
        sink.setProperty("topic", "enriched-out");
        sink.setProperty("dead-letter.topic", "dead-letters");
        sink.setProperty("transactional.id.prefix", "enrichment-it");
        groups.put(AppSettings.SINK_GROUP, sink);
        return groups;
    }

    private static long restarts(InMemoryReporter reporter, JobID job) {
        return reporter.findJobMetricGroups(job, "numRestarts").stream()
                .map(metric -> metric.f2)
                .filter(Gauge.class::isInstance)
                .mapToLong(gauge -> ((Number) ((Gauge<?>) gauge).getValue()).longValue())
                .max()
                .orElse(0);
    }

    private static String deadLetterKey(byte[] record, String reason) {
        return reason + " | " + java.util.Base64.getEncoder().encodeToString(record);
    }

    private static String deadLetterKey(JsonNode letter) {
        byte[] record =
                letter.has("record")
                        ? utf8(letter.get("record").asText())
                        : java.util.Base64.getDecoder().decode(letter.get("recordBase64").asText());
        return deadLetterKey(record, letter.get("reason").asText());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
