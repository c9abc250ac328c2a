package io.github.flinksagemaker.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Product reviews as JSON Lines: the bundled sample, files, and a deterministic generator for the
 * {@code --rate} stream. A review is {@code {"id", "product", "rating", "text"}}; the demo model
 * scores its {@code text}.
 */
public final class Reviews {
    static final String BUNDLED = "/reviews.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PRODUCTS = {
        "kettle",
        "blender",
        "headphones",
        "backpack",
        "desk lamp",
        "coffee grinder",
        "running shoes"
    };
    private static final String[] POSITIVE = {
        "Great value and it works perfectly.",
        "I love how quiet it is.",
        "Excellent build quality, would recommend.",
        "Arrived fast and looks amazing.",
        "Best purchase this year, really happy."
    };
    private static final String[] NEGATIVE = {
        "It broke after a week, terrible.",
        "Cheap plastic, I returned it.",
        "Awful customer service and slow delivery.",
        "Disappointed, it never worked properly.",
        "Useless instructions, poor design."
    };
    private static final String[] NEUTRAL = {
        "The colour is as pictured.",
        "It comes in a cardboard box.",
        "I use it every morning.",
        "The manual is in four languages.",
        "Fits on the shelf next to the toaster."
    };

    private Reviews() {}

    /** Review number {@code index}: the same index always gives the same line. */
    public static String generate(long index) {
        Random random = new Random(index * 7_919L + 17);
        int rating = 1 + random.nextInt(5);
        // Every 400th review is a long essay, over the 128,000-byte inline limit.
        int sentences = index % 400 == 399 ? 4_600 + random.nextInt(2_000) : 1 + random.nextInt(12);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < sentences; i++) {
            String[] pool =
                    random.nextInt(5) < rating - 1
                            ? POSITIVE
                            : random.nextBoolean() ? NEGATIVE : NEUTRAL;
            text.append(i == 0 ? "" : " ").append(pool[random.nextInt(pool.length)]);
        }
        ObjectNode review = JSON.createObjectNode();
        review.put("id", String.format("r-%06d", index));
        review.put("product", PRODUCTS[random.nextInt(PRODUCTS.length)]);
        review.put("rating", rating);
        review.put("text", text.toString());
        return review.toString();
    }

    /** The inference ID of a review line: its {@code id}. Throws for lines without one. */
    static String idOf(String line) throws IOException {
        JsonNode id = JSON.readTree(line).get("id");
        if (id == null || !id.isTextual()) {
            throw new IOException("the review has no string field 'id'");
        }
        return id.textValue();
    }

    static List<String> read(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return lines(reader);
        }
    }

    static List<String> bundled() throws IOException {
        try (InputStream in =
                        Objects.requireNonNull(
                                Reviews.class.getResourceAsStream(BUNDLED), "bundled reviews");
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return lines(reader);
        }
    }

    private static List<String> lines(BufferedReader reader) {
        return reader.lines().filter(line -> !line.isBlank()).toList();
    }
}
