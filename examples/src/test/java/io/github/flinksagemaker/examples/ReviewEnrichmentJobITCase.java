package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.api.common.JobStatus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the example job end to end on the embedded endpoint with a small input and checks every line
 * of its output file: the model's exact sentiment for each review, a model error for a review
 * without text, a rejection for a line that is not JSON, and the path each took. The input is
 * bounded, so the job must finish by itself.
 */
// A job that never finished by itself would keep the example waiting for results forever.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ReviewEnrichmentJobITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "completion by {0}")
    @ValueSource(strings = {"sqs", "listing"})
    void enrichesEveryReviewExactlyOnceAndPrintsProgressAndASummary(
            String completion, @TempDir Path dir) throws Exception {
        List<String> input = new ArrayList<>();
        for (long i = 0; i < 12; i++) {
            input.add(Reviews.generate(i));
        }
        input.add(Reviews.generate(399)); // over 128,000 bytes: through S3
        input.add("{\"id\":\"r-no-text\",\"rating\":1}");
        String broken = "{\"id\": \"r-broken\", \"text\": \"not valid JSON";
        input.add(broken);
        Path inputFile = dir.resolve("reviews.jsonl");
        Files.write(inputFile, input);
        Path outputFile = dir.resolve("enriched.jsonl");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        ReviewEnrichmentJob.Run run =
                ReviewEnrichmentJob.run(
                        ExampleOptions.parse(
                                new String[] {
                                    "--input",
                                    inputFile.toString(),
                                    "--output",
                                    outputFile.toString(),
                                    "--completion",
                                    completion
                                }),
                        new PrintStream(console, true, StandardCharsets.UTF_8));

        List<String> expected = new ArrayList<>();
        for (String line : input) {
            expected.add(expectedRecord(line));
        }
        List<JsonNode> actual = new ArrayList<>();
        for (String line : Files.readAllLines(outputFile)) {
            ObjectNode record = (ObjectNode) JSON.readTree(line);
            assertThat(record.get("latencyMillis").asLong()).isNotNegative();
            record.remove("latencyMillis");
            actual.add(record);
        }
        assertThat(actual.stream().map(JsonNode::toString).sorted().toList())
                .isEqualTo(expected.stream().sorted().toList());
        assertThat(run.summary().total()).isEqualTo(input.size());
        assertFinishedByItself(run);

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("Enriching 15 reviews")
                .contains("] submitted ")
                .contains("Summary")
                .contains("end-to-end latency")
                .contains(
                        completion.equals("sqs")
                                ? "completions by SQS notifications"
                                : "completions by listing S3")
                .containsPattern(
                        completion.equals("sqs")
                                ? "client requests per 1,000 inferences +SageMaker [0-9,]+ +S3"
                                        + " [0-9,]+ +SQS [1-9][0-9,]*"
                                : "client requests per 1,000 inferences +SageMaker [0-9,]+ +S3"
                                        + " [0-9,]+ +SQS 0\\b");
    }

    /**
     * The input is bounded: the job must end FINISHED by itself, soon after its last result, and
     * not because the example counted its results and cancelled it.
     */
    private static void assertFinishedByItself(ReviewEnrichmentJob.Run run) {
        assertThat(run.jobStatus()).isEqualTo(JobStatus.FINISHED);
        assertThat(run.endedAfterLastResult()).isLessThan(Duration.ofSeconds(30));
    }

    private static String expectedRecord(String line) throws Exception {
        ObjectNode record = JSON.createObjectNode();
        JsonNode review;
        try {
            review = JSON.readTree(line);
        } catch (Exception e) {
            String error;
            try {
                Reviews.idOf(line);
                throw new AssertionError("expected the extractor to fail");
            } catch (Exception extractor) {
                error =
                        "INVALID_INFERENCE_ID: Inference ID extractor failed: "
                                + extractor.getClass().getSimpleName()
                                + ": "
                                + extractor.getMessage();
            }
            record.putNull("id");
            record.put("status", "REJECTED");
            record.putNull("path");
            record.putNull("sentiment");
            record.put("error", error);
            return record.toString();
        }
        record.put("id", review.get("id").asText());
        JsonNode text = review.get("text");
        String path = line.getBytes(StandardCharsets.UTF_8).length <= 128_000 ? "INLINE" : "S3";
        if (text == null || !text.isTextual()) {
            record.put("status", "MODEL_ERROR");
            record.put("path", path);
            record.putNull("sentiment");
            record.put(
                    "error", "SentimentDemoModel expects a JSON object with a string field 'text'");
        } else {
            record.put("status", "SUCCESS");
            record.put("path", path);
            record.set("sentiment", JSON.readTree(SentimentDemoModel.score(text.asText())));
            record.putNull("error");
        }
        return record.toString();
    }

    @Test
    void aFileWithRepeatedIdsStillGetsOneLinePerInputLine(@TempDir Path dir) throws Exception {
        List<String> input = new ArrayList<>();
        for (long i = 0; i < 6; i++) {
            input.add(Reviews.generate(i));
        }
        String reused = JSON.readTree(input.get(2)).get("id").asText();
        input.add("{\"id\":\"" + reused + "\",\"text\":\"Same id, another review.\"}");
        Path inputFile = dir.resolve("reviews.jsonl");
        Files.write(inputFile, input);
        Path outputFile = dir.resolve("enriched.jsonl");

        ReviewEnrichmentJob.Run run =
                ReviewEnrichmentJob.run(
                        ExampleOptions.parse(
                                new String[] {
                                    "--input",
                                    inputFile.toString(),
                                    "--output",
                                    outputFile.toString()
                                }),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(outputFile)) {
            records.add(JSON.readTree(line));
        }
        assertThat(run.summary().total()).isEqualTo(7);
        assertFinishedByItself(run);
        assertThat(records).hasSize(7);
        assertThat(records)
                .filteredOn(r -> r.get("id").asText().equals(reused))
                .extracting(r -> r.get("status").asText())
                .containsExactlyInAnyOrder("SUCCESS", "REJECTED");
        assertThat(records)
                .filteredOn(r -> r.get("status").asText().equals("REJECTED"))
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.get("error").asText())
                                        .startsWith("DUPLICATE_INFERENCE_ID")
                                        .contains(reused));
    }
}
