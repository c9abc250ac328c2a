package io.github.flinksagemaker.examples.deploy;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the deployable application's start-up on a local MiniCluster with a local properties file
 * and the embedded endpoint, reading reviews from files and checking the enriched files written.
 */
class ManagedFlinkApplicationITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void enrichesReviewFilesIntoTheSinkDirectory(@TempDir Path dir) throws Exception {
        Path input = Files.createDirectories(dir.resolve("reviews"));
        List<String> reviews = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            reviews.add(
                    "{\"id\":\"r-"
                            + i
                            + "\",\"text\":\""
                            + (i % 2 == 0 ? "great" : "awful")
                            + "\"}");
        }
        Files.write(input.resolve("part-1.jsonl"), reviews);
        Path output = dir.resolve("enriched");
        Path properties = dir.resolve("application-properties.json");
        Files.writeString(
                properties,
                "[{\"PropertyGroupId\":\"Source\",\"PropertyMap\":{\"path\":\""
                        + input.toUri()
                        + "\"}},"
                        + "{\"PropertyGroupId\":\"Sink\",\"PropertyMap\":{\"path\":\""
                        + output.toUri()
                        + "\"}}]");

        Map<String, Properties> groups =
                ManagedFlinkApplication.loadProperties(
                        new String[] {"--properties", properties.toString()}, true);
        List<JsonNode> records;
        try (ManagedFlinkApplication.Running running =
                ManagedFlinkApplication.start(
                        StreamExecutionEnvironment.getExecutionEnvironment(), groups, true)) {
            long until = System.nanoTime() + 90_000_000_000L;
            do {
                Thread.sleep(200);
                records = committedRecords(output);
            } while (records.size() < reviews.size() && System.nanoTime() < until);
        }

        assertThat(records).hasSize(20);
        assertThat(records)
                .allSatisfy(
                        r -> {
                            assertThat(r.get("status").asText()).isEqualTo("SUCCESS");
                            assertThat(r.get("path").asText()).isEqualTo("INLINE");
                        });
        assertThat(records.stream().map(r -> r.get("id").asText()).sorted().toList())
                .isEqualTo(reviews.stream().map(this::id).sorted().toList());
        assertThat(
                        records.stream()
                                .filter(r -> r.get("id").asText().equals("r-0"))
                                .findFirst()
                                .orElseThrow()
                                .get("sentiment")
                                .get("label")
                                .asText())
                .isEqualTo("POSITIVE");
    }

    @Test
    void withoutPropertiesItRunsOnAnInProcessBrokerAndEndsWithItsSummary() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Map<String, Properties> groups =
                ManagedFlinkApplication.loadProperties(new String[0], true);
        try (ManagedFlinkApplication.Running running =
                ManagedFlinkApplication.start(
                        StreamExecutionEnvironment.getExecutionEnvironment(), groups, true)) {
            CompletableFuture<Void> followed =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    running.localRun().follow(running.job(), console);
                                } catch (Exception e) {
                                    throw new CompletionException(e);
                                }
                            });
            try {
                followed.get(2, TimeUnit.MINUTES);
            } catch (TimeoutException e) {
                // Its progress lines say how many records have their output so far.
                fail(
                        "The local run did not end within 2 minutes (it ends once all 2,003"
                                + " reviews have their record); it printed:%n%s",
                        printed);
            }
        }
        String summary = printed.toString(StandardCharsets.UTF_8);
        // 2,003 bundled reviews: five over the inline limit, two without text, one broken line.
        assertThat(summary)
                .containsPattern("SUCCESS\\s+1995\\s+5\\s+0\\s+2000")
                .containsPattern("MODEL_ERROR\\s+2\\s+0\\s+0\\s+2")
                .containsPattern("all\\s+2002")
                .contains("dead letters 1 {not JSON=1}")
                .containsPattern("end-to-end latency\\s+p50 [\\d,]+ ms\\s+p95 [\\d,]+ ms\\s+p99")
                .containsPattern("[\\d,]+ records per second");
    }

    private String id(String review) {
        try {
            return JSON.readTree(review).get("id").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lines of finished part files; in-progress files are hidden (start with a dot). */
    private static List<JsonNode> committedRecords(Path output) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        if (!Files.exists(output)) {
            return records;
        }
        try (Stream<Path> files = Files.walk(output)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (file.getFileName().toString().startsWith(".")) {
                    continue;
                }
                for (String line : Files.readAllLines(file)) {
                    records.add(JSON.readTree(line));
                }
            }
        }
        return records;
    }
}
