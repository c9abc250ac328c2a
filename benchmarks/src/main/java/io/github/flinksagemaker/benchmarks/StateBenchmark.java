package io.github.flinksagemaker.benchmarks;

import io.github.flinksagemaker.connector.join.InferenceResult;
import io.github.flinksagemaker.connector.join.InferenceResultJoin;
import io.github.flinksagemaker.connector.join.LocationTagger;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.PendingInferenceSerializer;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.watch.InferenceOutput;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.VoidSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
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

    /** Checkpointed bytes of the join's keyed state with {@code count} pending inferences. */
    static long joinCheckpointBytes(int count) throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<
                        String,
                        PendingInference<Void>,
                        Tuple2<String, InferenceOutput>,
                        InferenceResult<Void>>
                join =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new InferenceResultJoin<>(
                                                Types.VOID, RETENTION, RETENTION, null)),
                                PendingInference::inferenceId,
                                tagged -> tagged.f0,
                                Types.STRING)) {
            join.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
            join.setup();
            join.open();
            for (int i = 0; i < count; i++) {
                join.processElement1(new StreamRecord<>(pending(i)));
            }
            return stateSize(join.snapshot(1, 1));
        }
    }

    /** Checkpointed bytes of the location tagger's keyed state: two claims per pending. */
    static long taggerCheckpointBytes(int count) throws Exception {
        try (KeyedTwoInputStreamOperatorTestHarness<
                        String,
                        Tuple3<String, String, Long>,
                        InferenceOutput,
                        Tuple2<String, InferenceOutput>>
                tagger =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new LocationTagger(RETENTION, RETENTION)),
                                claim -> claim.f0,
                                InferenceOutput::location,
                                Types.STRING)) {
            tagger.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
            tagger.setup();
            tagger.open();
            for (int i = 0; i < count; i++) {
                PendingInference<Void> pending = pending(i);
                tagger.processElement1(
                        new StreamRecord<>(
                                Tuple3.of(
                                        pending.outputLocation(),
                                        pending.inferenceId(),
                                        pending.deadlineMillis())));
                tagger.processElement1(
                        new StreamRecord<>(
                                Tuple3.of(
                                        pending.failureLocation(),
                                        pending.inferenceId(),
                                        pending.deadlineMillis())));
            }
            return stateSize(tagger.snapshot(1, 1));
        }
    }

    private static long stateSize(OperatorSubtaskState state) {
        return state.getStateSize();
    }
}
