package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.connector.join.InferenceResult;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The examples' output record, one JSON line per review: its ID, status, path, latency, and the
 * model's output or error.
 *
 * <p>Kept apart from the jobs: Flink reflects on the class of a method reference given to {@code
 * map}, and this one must not name the local endpoint, which the application jar leaves out.
 */
public final class EnrichedReview {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EnrichedReview() {}

    /** The record of one result, as a JSON line (usable as a Flink map function). */
    public static String line(InferenceResult<?> result) {
        try {
            ObjectNode record = JSON.createObjectNode();
            record.put("id", result.inferenceId());
            record.put("status", result.status().name());
            record.put("path", result.path() == null ? null : result.path().name());
            record.put("latencyMillis", result.latencyMillis());
            if (result.isSuccess() && result.output() != null) {
                record.set("sentiment", JSON.readTree(result.output()));
            } else {
                record.putNull("sentiment");
            }
            record.put("error", result.errorMessage());
            return JSON.writeValueAsString(record);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot write result " + result.inferenceId(), e);
        }
    }
}
