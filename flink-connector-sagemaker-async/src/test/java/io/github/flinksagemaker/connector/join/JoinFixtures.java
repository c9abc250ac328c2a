package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.OutputTag;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What the join tests feed the join: one configuration, processing times, and pending inferences
 * and outputs under {@code s3://b/out} and {@code s3://b/failed}.
 */
final class JoinFixtures {
    private JoinFixtures() {}

    /** The processing time of every submission. */
    static final long SUBMIT = 100_000L;

    /** Every inference's deadline. */
    static final long DEADLINE = 160_000L;

    static final long UNMATCHED = 5_000L;
    static final long DUPLICATES = 30_000L;

    static final JoinConfig CONFIG =
            JoinConfig.from(
                    new Configuration()
                            .set(
                                    JoinOptions.UNMATCHED_OUTPUT_RETENTION,
                                    Duration.ofMillis(UNMATCHED))
                            .set(JoinOptions.DUPLICATE_RETENTION, Duration.ofMillis(DUPLICATES)));

    static final OutputTag<PendingInference<String>> DEADLINE_TAG =
            InferenceResultJoin.deadlineTag(Types.STRING);

    /** An inline submission of element {@code "element-" + id}, at {@link #SUBMIT}. */
    static PendingInference<String> pending(String id) {
        return PendingInference.accepted(
                id,
                "s3://b/out/" + id + ".out",
                "s3://b/failed/" + id + "-error.out",
                SubmitPath.INLINE,
                3,
                SUBMIT,
                DEADLINE,
                null,
                "element-" + id);
    }

    /**
     * The model's JSON answer to {@link #pending}{@code (id)}, written 4 s after the submission.
     */
    static TaggedOutput output(String id, String content) {
        return new TaggedOutput(
                id,
                new InferenceOutput(
                        "s3://b/out/" + id + ".out",
                        ResultStatus.SUCCESS,
                        content.getBytes(StandardCharsets.UTF_8),
                        "application/json",
                        SUBMIT + 4_000L,
                        content.length(),
                        "\"e\""));
    }

    /** The error object for {@link #pending}{@code (id)}, written 5 s after the submission. */
    static TaggedOutput failure(String id, String text) {
        return new TaggedOutput(
                id,
                new InferenceOutput(
                        "s3://b/failed/" + id + "-error.out",
                        ResultStatus.MODEL_ERROR,
                        text.getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        SUBMIT + 5_000L,
                        text.length(),
                        null));
    }
}
