package io.github.flinksagemaker.examples.deploy;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each record is either a review line or a dead letter that keeps the record and says why. */
class ReviewParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void reviewsPassAndEveryOtherRecordBecomesADeadLetterWithItsReason() throws Exception {
        byte[] notUtf8 = {'{', (byte) 0xC3, (byte) 0x28, '}'};
        try (OneInputStreamOperatorTestHarness<byte[], Review> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new ReviewParser()))) {
            harness.open();
            for (byte[] record :
                    List.of(
                            utf8("{\"id\":\"r-1\",\"text\":\"great\"}"),
                            utf8("{\"id\":\"r-2\"}"),
                            utf8("{\"id\":\"r-3\",\"text\":\"cut"),
                            utf8("{\"text\":\"no id\"}"),
                            utf8("{\"id\":42}"),
                            utf8("{\"id\":\"  \"}"),
                            utf8("[1,2]"),
                            utf8("  "),
                            new byte[0],
                            notUtf8)) {
                harness.processElement(new StreamRecord<>(record));
            }

            assertThat(harness.extractOutputValues())
                    .as("a review without text is the model's to answer, not a dead letter")
                    .containsExactly(
                            new Review("r-1", "{\"id\":\"r-1\",\"text\":\"great\"}"),
                            new Review("r-2", "{\"id\":\"r-2\"}"));
            List<JsonNode> letters =
                    harness.getSideOutput(ReviewParser.DEAD_LETTERS).stream()
                            .map(r -> read(r.getValue()))
                            .toList();
            assertThat(letters)
                    .extracting(l -> l.get("reason").asText())
                    .containsExactly(
                            "not JSON",
                            "no string field 'id'",
                            "no string field 'id'",
                            "field 'id' is empty",
                            "not a JSON object",
                            "empty record",
                            "empty record",
                            "not UTF-8 text");
            assertThat(letters.get(0).get("record").asText())
                    .isEqualTo("{\"id\":\"r-3\",\"text\":\"cut");
            assertThat(Base64.getDecoder().decode(letters.get(7).get("recordBase64").asText()))
                    .as("bytes that are not text are kept exactly")
                    .isEqualTo(notUtf8);
        }
    }

    @Test
    void aHugeRecordLeavesALetterThatStillFitsAKafkaRequest() throws Exception {
        String text = "\u0001\"".repeat(512 * 1024); // 1 MiB of text that escaping lengthens
        byte[] bytes = new byte[1 << 20];
        java.util.Arrays.fill(bytes, (byte) 0xFF); // 1 MiB that is not UTF-8
        try (OneInputStreamOperatorTestHarness<byte[], Review> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new ReviewParser()))) {
            harness.open();
            harness.processElement(new StreamRecord<>(utf8(text)));
            harness.processElement(new StreamRecord<>(bytes));

            List<String> letters =
                    harness.getSideOutput(ReviewParser.DEAD_LETTERS).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(letters).hasSize(2);
            for (String letter : letters) {
                assertThat(utf8(letter).length).isLessThan(ReviewParser.MAX_KEPT_BYTES * 7);
                JsonNode json = read(letter);
                assertThat(json.get("truncated").asBoolean()).isTrue();
                assertThat(json.get("recordBytes").asInt()).isEqualTo(1 << 20);
            }
            assertThat(read(letters.get(0)).get("record").asText())
                    .isEqualTo(text.substring(0, ReviewParser.MAX_KEPT_BYTES));
            assertThat(
                            Base64.getDecoder()
                                    .decode(read(letters.get(1)).get("recordBase64").asText()))
                    .hasSize(ReviewParser.MAX_KEPT_BYTES);
        }
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
