package io.github.flinksagemaker.examples.deploy;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Splits raw records into review lines the job can submit (UTF-8 JSON objects with a non-empty
 * string {@code id}, the inference ID) and dead letters that say why not. A review without usable
 * {@code text} is not a dead letter: the model answers it with an error, which is its result.
 */
final class ReviewParser extends ProcessFunction<byte[], String> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Dead letters: {@code {"reason": ..., "record": ...}}, or {@code recordBase64}. */
    static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters", Types.STRING);

    private transient Counter deadLetters;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(byte[] record, Context context, Collector<String> out)
            throws Exception {
        String text;
        try {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(record))
                            .toString();
        } catch (CharacterCodingException e) {
            deadLetters.inc();
            context.output(DEAD_LETTERS, deadLetter("not UTF-8 text", record, null));
            return;
        }
        String problem = problemOf(text);
        if (problem == null) {
            out.collect(text);
        } else {
            deadLetters.inc();
            context.output(DEAD_LETTERS, deadLetter(problem, record, text));
        }
    }

    /** Why {@code text} cannot be submitted, or null when it can. */
    static String problemOf(String text) {
        if (text.isBlank()) {
            return "empty record";
        }
        JsonNode review;
        try {
            review = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return "not JSON";
        }
        if (review == null || !review.isObject()) {
            return "not a JSON object";
        }
        JsonNode id = review.get("id");
        if (id == null || !id.isTextual()) {
            return "no string field 'id'";
        }
        if (id.textValue().isBlank()) {
            return "field 'id' is empty";
        }
        return null;
    }

    static String deadLetter(String reason, byte[] record, String text) throws Exception {
        ObjectNode letter = JSON.createObjectNode();
        letter.put("reason", reason);
        if (text != null) {
            letter.put("record", text);
        } else {
            letter.put("recordBase64", Base64.getEncoder().encodeToString(record));
        }
        return JSON.writeValueAsString(letter);
    }
}
