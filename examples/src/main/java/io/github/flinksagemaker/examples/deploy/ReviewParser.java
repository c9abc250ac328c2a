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
import java.util.Arrays;
import java.util.Base64;

/**
 * Splits raw records into review lines the job can submit (UTF-8 JSON objects with a non-empty
 * string {@code id}, the inference ID) and dead letters that say why not. A review without usable
 * {@code text} is not a dead letter: the model answers it with an error, which is its result.
 */
final class ReviewParser extends ProcessFunction<byte[], Review> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Dead letters: {@code {"reason", "recordBytes", "record"}}, or {@code recordBase64} for bytes
     * that are not UTF-8, and {@code "truncated": true} when the record is longer than {@link
     * #MAX_KEPT_BYTES}.
     */
    static final OutputTag<String> DEAD_LETTERS = new OutputTag<>("dead-letters", Types.STRING);

    /**
     * How much of a record a dead letter keeps: escaping and base64 make a letter longer than its
     * record, and a letter over the producer's request size (1 MiB by default) would fail the sink
     * on every restart.
     */
    static final int MAX_KEPT_BYTES = 64 * 1024;

    private transient Counter deadLetters;

    @Override
    public void open(org.apache.flink.api.common.functions.OpenContext context) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
    }

    @Override
    public void processElement(byte[] record, Context context, Collector<Review> out)
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
        try {
            out.collect(parse(text));
        } catch (Unparseable e) {
            deadLetters.inc();
            context.output(DEAD_LETTERS, deadLetter(e.getMessage(), record, text));
        }
    }

    /** The review in {@code text}; throws with the reason when it cannot be submitted. */
    static Review parse(String text) throws Unparseable {
        if (text.isBlank()) {
            throw new Unparseable("empty record");
        }
        JsonNode review;
        try {
            review = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Unparseable("not JSON");
        }
        if (review == null || !review.isObject()) {
            throw new Unparseable("not a JSON object");
        }
        JsonNode id = review.get("id");
        if (id == null || !id.isTextual()) {
            throw new Unparseable("no string field 'id'");
        }
        if (id.textValue().isBlank()) {
            throw new Unparseable("field 'id' is empty");
        }
        return new Review(id.textValue(), text);
    }

    /** Why a record is a dead letter; expected, so without a stack trace. */
    static final class Unparseable extends Exception {
        private static final long serialVersionUID = 1L;

        Unparseable(String reason) {
            super(reason, null, false, false);
        }
    }

    static String deadLetter(String reason, byte[] record, String text) throws Exception {
        ObjectNode letter = JSON.createObjectNode();
        letter.put("reason", reason);
        letter.put("recordBytes", record.length);
        boolean truncated = record.length > MAX_KEPT_BYTES;
        if (text != null && !truncated) {
            letter.put("record", text);
        } else if (text != null) {
            letter.put("record", text.substring(0, prefixLength(text)));
        } else {
            letter.put(
                    "recordBase64",
                    Base64.getEncoder()
                            .encodeToString(
                                    truncated ? Arrays.copyOf(record, MAX_KEPT_BYTES) : record));
        }
        if (truncated) {
            letter.put("truncated", true);
        }
        return JSON.writeValueAsString(letter);
    }

    /** The length of the longest prefix of {@code text} within {@link #MAX_KEPT_BYTES} in UTF-8. */
    private static int prefixLength(String text) {
        int bytes = 0;
        int index = 0;
        while (index < text.length()) {
            int codePoint = text.codePointAt(index);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_KEPT_BYTES) {
                break;
            }
            bytes += size;
            index += Character.charCount(codePoint);
        }
        return index;
    }
}
