package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.JoinOptions;
import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceResultJoin;
import io.github.flinksagemaker.connector.join.JoinConfig;
import io.github.flinksagemaker.connector.join.LocationClaim;
import io.github.flinksagemaker.connector.join.LocationTagger;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceSerializer;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.VoidSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

/**
 * What pending inferences cost in checkpoints: the serialized size of one pending record without
 * its element, and the checkpointed keyed state of both re-join operators (the location tagger's
 * two claims and the join's pending record, with their timers) for many pending inferences.
 */
final class StateBenchmark {
    private static final long RETENTION = Duration.ofMinutes(30).toMillis();

    /** Realistic names: a UUID inference ID, hourly buckets, 32-character output file name. */
    static PendingInference<Void> pending(long i) {
        String id = new UUID(0x5eed_0000_0000_0000L + i, i * 0x9E3779B97F4A7C15L).toString();
        String file = HexFormat.of().toHexDigits(i * 0x9E3779B97F4A7C15L) + "abcdef0123ab.out";
        long submit = 1_795_000_000_000L + i;
        return PendingInference.accepted(
                id,
                "s3://my-bucket/async/output/results/2026/11/25/13/" + file,
                "s3://my-bucket/async/failure/results/2026/11/25/13/" + id + "-error.out",
                SubmitPath.INLINE,
                1_024,
                submit,
                submit + Duration.ofMinutes(380).toMillis(),
                null,
                null);
    }

    /** Serialized bytes of one pending record with no element. */
    static int pendingRecordBytes() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        new PendingInferenceSerializer<>(VoidSerializer.INSTANCE).serialize(pending(42), out);
        return out.length();
    }

    private static final JoinConfig JOIN =
            JoinConfig.from(
                    new Configuration()
                            .set(JoinOptions.UNMATCHED_OUTPUT_RETENTION, Duration.ofMinutes(10))
                            .set(JoinOptions.DUPLICATE_RETENTION, Duration.ofMillis(RETENTION)));

    static KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingInference<Void>, TaggedOutput, InferenceResult<Void>>
            join() throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<
                        String, PendingInference<Void>, TaggedOutput, InferenceResult<Void>>
                join =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new InferenceResultJoin<>(
                                        Types.VOID,
                                        JOIN,
                                        InferenceResultJoin.deadlineTag(Types.VOID)),
                                PendingInference::inferenceId,
                                TaggedOutput::inferenceId,
                                Types.STRING);
        join.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
        join.setup();
        join.open();
        return join;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, LocationClaim, InferenceOutput, TaggedOutput>
            tagger() throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, LocationClaim, InferenceOutput, TaggedOutput>
                tagger =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(new LocationTagger(JOIN)),
                                LocationClaim::location,
                                InferenceOutput::location,
                                Types.STRING);
        tagger.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
        tagger.setup();
        tagger.open();
        return tagger;
    }

    /** Checkpointed bytes of the join's keyed state with {@code count} pending inferences. */
    static long joinCheckpointBytes(int count) throws Exception {
        try (var join = join()) {
            for (int i = 0; i < count; i++) {
                join.processElement1(new StreamRecord<>(pending(i)));
            }
            return stateSize(join.snapshot(1, 1));
        }
    }

    /** Checkpointed bytes of the location tagger's keyed state: two claims per pending. */
    static long taggerCheckpointBytes(int count) throws Exception {
        try (var tagger = tagger()) {
            for (int i = 0; i < count; i++) {
                PendingInference<Void> pending = pending(i);
                tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(pending)));
                tagger.processElement1(new StreamRecord<>(LocationClaim.onFailure(pending)));
            }
            return stateSize(tagger.snapshot(1, 1));
        }
    }

    /**
     * Checkpointed bytes that {@code count} answered inferences leave behind until their duplicate
     * window (join) and deadline (the tagger's two claims, which tag every copy until then) end.
     */
    static long answeredCheckpointBytes(int count) throws Exception {
        long bytes;
        try (var tagger = tagger();
                var join = join()) {
            for (int i = 0; i < count; i++) {
                PendingInference<Void> pending = pending(i);
                tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(pending)));
                tagger.processElement1(new StreamRecord<>(LocationClaim.onFailure(pending)));
                tagger.processElement2(new StreamRecord<>(output(pending)));
                join.processElement1(new StreamRecord<>(pending));
                join.processElement2(
                        new StreamRecord<>(
                                new TaggedOutput(pending.inferenceId(), output(pending))));
            }
            bytes = stateSize(tagger.snapshot(1, 1)) + stateSize(join.snapshot(1, 1));
        }
        return bytes;
    }

    static InferenceOutput output(PendingInference<Void> pending) {
        return new InferenceOutput(
                pending.outputLocation(),
                ResultStatus.SUCCESS,
                new byte[] {'1'},
                "text/plain",
                pending.submitTimeMillis() + 1_000,
                1L,
                "\"etag\"");
    }

    private static long stateSize(OperatorSubtaskState state) {
        return state.getStateSize();
    }
}
