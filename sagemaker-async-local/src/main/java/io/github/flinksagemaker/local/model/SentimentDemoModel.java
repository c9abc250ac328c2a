package io.github.flinksagemaker.local.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small deterministic sentiment scorer for {@code {"text": "..."}} JSON, so demos and tests have
 * a model whose output is known in advance. It counts words from two short lexicons; the same text
 * always gives the same bytes. Anything that is not a JSON object with a string {@code text} field
 * is a model error, which makes model failures easy to provoke on purpose.
 */
public final class SentimentDemoModel implements LocalModel {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern WORDS = Pattern.compile("[^\\p{L}\\p{N}']+");
    private static final Set<String> POSITIVE =
            Set.of(
                    "good",
                    "great",
                    "excellent",
                    "love",
                    "loved",
                    "like",
                    "best",
                    "happy",
                    "perfect",
                    "amazing",
                    "nice",
                    "fantastic",
                    "recommend",
                    "works",
                    "wonderful");
    private static final Set<String> NEGATIVE =
            Set.of(
                    "bad",
                    "poor",
                    "terrible",
                    "hate",
                    "hated",
                    "worst",
                    "broken",
                    "awful",
                    "disappointed",
                    "refund",
                    "useless",
                    "slow",
                    "cheap",
                    "returned",
                    "never");

    @Override
    public ModelResponse invoke(ModelRequest request) {
        String text;
        try {
            JsonNode json = MAPPER.readTree(request.body());
            JsonNode textNode = json == null ? null : json.get("text");
            if (textNode == null || !textNode.isTextual()) {
                return ModelResponse.error(
                        "SentimentDemoModel expects a JSON object with a string field 'text'");
            }
            text = textNode.textValue();
        } catch (Exception e) {
            return ModelResponse.error("SentimentDemoModel could not parse the payload as JSON");
        }
        return ModelResponse.success(score(text), "application/json");
    }

    /** The exact output bytes for a text: tests compute expected results with this. */
    public static byte[] score(String text) {
        int positive = 0;
        int negative = 0;
        for (String word : WORDS.split(text.toLowerCase(Locale.ROOT))) {
            if (POSITIVE.contains(word)) {
                positive++;
            } else if (NEGATIVE.contains(word)) {
                negative++;
            }
        }
        int total = positive + negative;
        double score = total == 0 ? 0.5 : (double) positive / total;
        String label = score > 0.5 ? "POSITIVE" : score < 0.5 ? "NEGATIVE" : "NEUTRAL";
        ObjectNode out = MAPPER.createObjectNode();
        out.put("label", label);
        out.put("score", Math.round(score * 1000) / 1000.0);
        out.put("positiveWords", positive);
        out.put("negativeWords", negative);
        out.put("characters", text.length());
        try {
            return MAPPER.writeValueAsBytes(out);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot happen: writing a flat JSON object", e);
        }
    }
}
