package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import static io.github.flinksagemaker.connector.join.JoinFixtures.CONFIG;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DEADLINE;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DEADLINE_TAG;
import static io.github.flinksagemaker.connector.join.JoinFixtures.DUPLICATES;
import static io.github.flinksagemaker.connector.join.JoinFixtures.SUBMIT;
import static io.github.flinksagemaker.connector.join.JoinFixtures.UNMATCHED;
import static io.github.flinksagemaker.connector.join.JoinFixtures.failure;
import static io.github.flinksagemaker.connector.join.JoinFixtures.output;
import static io.github.flinksagemaker.connector.join.JoinFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both re-join steps driven by Flink's keyed two-input harness with processing time under test
 * control: either arrival order, status from the claim, model errors, unreadable and stale objects,
 * deadlines handed to the location check, duplicates, and what state and timers remain.
 */
class InferenceResultJoinTest {
    private KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
            join;

    /** The state backend under test; the heap here, RocksDB in the subclass. */
    StateBackend backend() {
        return new HashMapStateBackend();
    }

    private KeyedTwoInputStreamOperatorTestHarness<
                    String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
            newJoin() throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<
                        String, PendingInference<String>, TaggedOutput, InferenceResult<String>>
                harness =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new InferenceResultJoin<>(Types.STRING, CONFIG, DEADLINE_TAG),
                                PendingInference::inferenceId,
                                TaggedOutput::inferenceId,
                                Types.STRING);
        harness.setStateBackend(backend());
        return harness;
    }

    @BeforeEach
    void open() throws Exception {
        join = newJoin();
        join.setup();
        join.open();
        join.setProcessingTime(SUBMIT);
    }

    @AfterEach
    void close() throws Exception {
        join.close();
    }

    static final String[] JOIN_STATES = {
        InferenceResultJoin.PENDING_STATE,
        InferenceResultJoin.EARLY_STATE,
        InferenceResultJoin.DONE_STATE,
        InferenceResultJoin.ELEMENT_TIMESTAMP_STATE
    };
    static final String[] TAGGER_STATES = {
        LocationTagger.CLAIM_STATE, LocationTagger.UNCLAIMED_STATE
    };

    /** Keys that still hold any of {@code states}, on any backend (heap or RocksDB). */
    @SuppressWarnings("unchecked")
    static long keysWithState(AbstractStreamOperatorTestHarness<?> harness, String... states)
            throws Exception {
        KeyedStateBackend<Object> backend =
                ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        long keys = 0;
        for (String state : states) {
            try (Stream<Object> stream = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                keys += stream.count();
            }
        }
        return keys;
    }

    private JoinMetrics metrics() {
        return ((InferenceResultJoin<?>) join.getOperator()).metrics();
    }

    private List<InferenceResult<String>> results() {
        return join.extractOutputValues();
    }

    private List<PendingInference<String>> handedToTheCheck() {
        return join.getSideOutput(DEADLINE_TAG) == null
                ? List.of()
                : join.getSideOutput(DEADLINE_TAG).stream().map(StreamRecord::getValue).toList();
    }

    @Test
    void pendingFirstThenOutputGivesOneSuccess() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.setProcessingTime(SUBMIT + 3_000L);
        join.processElement2(new StreamRecord<>(output("a", "{\"ok\":1}")));

        InferenceResult<String> result = results().get(0);
        assertThat(results()).hasSize(1);
        assertThat(result.status()).isEqualTo(InferenceStatus.SUCCESS);
        assertThat(result.element()).isEqualTo("element-a");
        assertThat(new String(result.output(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":1}");
        assertThat(result.contentType()).isEqualTo("application/json");
        assertThat(result.resultLocation()).isEqualTo("s3://b/out/a.out");
        assertThat(result.isResultContentIncluded()).isTrue();
        assertThat(result.latencyMillis()).isEqualTo(3_000L);
        assertThat(result.path()).isEqualTo(SubmitPath.INLINE);
    }

    @Test
    void outputFirstThenPendingGivesOneSuccess() throws Exception {
        join.processElement2(new StreamRecord<>(output("a", "x")));
        assertThat(results()).isEmpty();
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .singleElement()
                .extracting(InferenceResult::status)
                .isEqualTo(InferenceStatus.SUCCESS);
    }

    @Test
    void aFailureObjectGivesAModelErrorWithItsText() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(failure("a", "CUDA out of memory")));

        InferenceResult<String> result = results().get(0);
        assertThat(result.status()).isEqualTo(InferenceStatus.MODEL_ERROR);
        assertThat(result.errorMessage()).isEqualTo("CUDA out of memory");
        assertThat(result.output()).isNull();
    }

    /**
     * Notifications may not name a location: an included response is the inference's own output; a
     * failure with only the service's failureReason gets no location, so cleanup never deletes a
     * failure object whose text was not read.
     */
    @Test
    void notificationsWithoutALocationAreLocatedOnlyWhereTheirContentCameFrom() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement1(new StreamRecord<>(pending("b")));
        InferenceOutput included = output("a", "{\"ok\":1}").output();
        join.processElement2(
                new StreamRecord<>(
                        new TaggedOutput(
                                "a",
                                new InferenceOutput(
                                        "",
                                        ResultStatus.SUCCESS,
                                        included.content(),
                                        included.contentType(),
                                        included.lastModifiedMillis(),
                                        included.size(),
                                        null))));
        join.processElement2(
                new StreamRecord<>(
                        new TaggedOutput(
                                "b",
                                new InferenceOutput(
                                        "",
                                        ResultStatus.MODEL_ERROR,
                                        "ClientError: 500 from the model"
                                                .getBytes(StandardCharsets.UTF_8),
                                        "text/plain",
                                        SUBMIT + 5_000L,
                                        30,
                                        null))));

        assertThat(results())
                .extracting(
                        InferenceResult::inferenceId,
                        InferenceResult::status,
                        InferenceResult::resultLocation,
                        InferenceResult::errorMessage)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "a", InferenceStatus.SUCCESS, "s3://b/out/a.out", null),
                        org.assertj.core.groups.Tuple.tuple(
                                "b",
                                InferenceStatus.MODEL_ERROR,
                                null,
                                "ClientError: 500 from the model"));
    }

    @Test
    void anObjectThatCannotBeReadGivesAnUnreadableResultNamingIt() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(
                new StreamRecord<>(
                        new TaggedOutput(
                                "a",
                                InferenceOutput.unreadable(
                                        "s3://b/out/a.out",
                                        ResultStatus.SUCCESS,
                                        SUBMIT + 1_000L,
                                        12L,
                                        null,
                                        "AccessDenied (403): KMS key not allowed"))));

        InferenceResult<String> result = results().get(0);
        assertThat(result.status()).isEqualTo(InferenceStatus.UNREADABLE);
        assertThat(result.resultLocation()).isEqualTo("s3://b/out/a.out");
        assertThat(result.errorMessage())
                .contains("s3://b/out/a.out")
                .contains("exists but could not be read")
                .contains("AccessDenied");
        assertThat(result.isResultContentIncluded()).isFalse();
    }

    @Test
    void atTheDeadlineThePendingRecordGoesToTheLocationCheckAndLaterObjectsAreDropped()
            throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.setProcessingTime(DEADLINE - 1);
        assertThat(results()).isEmpty();
        assertThat(handedToTheCheck()).isEmpty();

        join.setProcessingTime(DEADLINE);
        assertThat(results()).as("the join itself never declares TIMED_OUT").isEmpty();
        assertThat(handedToTheCheck())
                .extracting(PendingInference::inferenceId)
                .containsExactly("a");

        join.processElement2(new StreamRecord<>(output("a", "late")));
        assertThat(results()).as("the late object is dropped").isEmpty();
        join.processElement1(new StreamRecord<>(pending("a")));
        assertThat(results())
                .as("a second submission after the deadline is rejected, never decided again")
                .extracting(InferenceResult::status)
                .containsExactly(InferenceStatus.REJECTED);
        assertThat(handedToTheCheck()).hasSize(1);
    }

    @Test
    void secondOutputsAreDroppedAndASecondPendingRecordIsRejectedNeverSilent() throws Exception {
        PendingInference<String> uploaded =
                PendingInference.accepted(
                        "a",
                        "s3://b/out/a.out",
                        "s3://b/failed/a-error.out",
                        SubmitPath.S3,
                        200_000,
                        SUBMIT,
                        DEADLINE,
                        "s3://b/in/a",
                        "element-a");
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement1(new StreamRecord<>(uploaded));
        join.processElement2(new StreamRecord<>(output("a", "first")));
        join.processElement2(new StreamRecord<>(output("a", "second")));
        join.processElement2(new StreamRecord<>(failure("a", "also")));
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .extracting(r -> r.status() + " " + r.element())
                .containsExactly("REJECTED element-a", "SUCCESS element-a", "REJECTED element-a");
        assertThat(new String(results().get(1).output(), StandardCharsets.UTF_8))
                .isEqualTo("first");
        assertThat(results().get(0).errorMessage())
                .startsWith("DUPLICATE_INFERENCE_ID: Inference ID 'a' was submitted again");
        assertThat(results().get(0).inputLocation())
                .as("the input is the first submission's: cleanup must not delete it")
                .isNull();
    }

    @Test
    void twoOutputsBeforeThePendingRecordGiveOneResultFromTheFresher() throws Exception {
        join.processElement2(new StreamRecord<>(output("a", "written first")));
        join.processElement2(new StreamRecord<>(failure("a", "written second")));
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .singleElement()
                .extracting(InferenceResult::status, InferenceResult::errorMessage)
                .containsExactly(InferenceStatus.MODEL_ERROR, "written second");
        assertThat(metrics().lateOutputsDropped.getCount()).isEqualTo(1);
    }

    /** A copy left at the location by an earlier use of the ID, stale for {@link #pending}. */
    static TaggedOutput leftOver(String id) {
        byte[] content = "from an earlier use of the ID".getBytes(StandardCharsets.UTF_8);
        return new TaggedOutput(
                id,
                new InferenceOutput(
                        "s3://b/out/" + id + ".out",
                        ResultStatus.SUCCESS,
                        content,
                        null,
                        SUBMIT - InferenceResultJoin.STALE_TOLERANCE_MILLIS - 1,
                        content.length,
                        null));
    }

    /**
     * Objects that come before their pending record cannot be judged stale yet: a left-over copy
     * that came first must not hide the answer that came second, or the answer waits for the look
     * at the deadline.
     */
    @Test
    void aStaleOutputBeforeThePendingRecordCannotHideAFresherOne() throws Exception {
        join.processElement2(new StreamRecord<>(leftOver("a")));
        join.processElement2(new StreamRecord<>(output("a", "fresh")));
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .as("answered when the pending record comes, not at the deadline")
                .singleElement()
                .extracting(r -> new String(r.output(), StandardCharsets.UTF_8))
                .isEqualTo("fresh");
        assertThat(handedToTheCheck()).isEmpty();
        assertThat(keysWithState(join, InferenceResultJoin.PENDING_STATE)).isZero();
        assertThat(keysWithState(join, InferenceResultJoin.EARLY_STATE)).isZero();
        assertThat(join.numProcessingTimeTimers())
                .as("only the duplicate window's timer")
                .isEqualTo(1);
        assertThat(metrics().lateOutputsDropped.getCount()).as("the replaced copy").isEqualTo(1);
    }

    @Test
    void aStaleOutputAfterAFresherOneBeforeThePendingRecordIsDropped() throws Exception {
        join.processElement2(new StreamRecord<>(output("a", "fresh")));
        join.processElement2(new StreamRecord<>(leftOver("a")));
        join.processElement1(new StreamRecord<>(pending("a")));

        assertThat(results())
                .singleElement()
                .extracting(r -> new String(r.output(), StandardCharsets.UTF_8))
                .isEqualTo("fresh");
        assertThat(join.numProcessingTimeTimers())
                .as("only the duplicate window's timer")
                .isEqualTo(1);
        assertThat(metrics().lateOutputsDropped.getCount()).isEqualTo(1);
        assertThat(metrics().staleOutputsDropped.getCount()).isZero();
    }

    /**
     * A replaced output's timer must not end the retention of the one that replaced it, which waits
     * its own retention from its arrival and is then dropped once.
     */
    @Test
    void theFresherOutputWaitsItsOwnRetentionThenIsDroppedOnce() throws Exception {
        join.processElement2(new StreamRecord<>(leftOver("a")));
        join.setProcessingTime(SUBMIT + 1_000L);
        join.processElement2(new StreamRecord<>(output("a", "fresh")));
        assertThat(join.numProcessingTimeTimers()).as("the replaced one's is deleted").isEqualTo(1);

        join.setProcessingTime(SUBMIT + UNMATCHED);
        assertThat(keysWithState(join, InferenceResultJoin.EARLY_STATE))
                .as("still held when the replaced one would have expired")
                .isEqualTo(1);

        join.setProcessingTime(SUBMIT + 1_000L + UNMATCHED);
        assertThat(keysWithState(join, JOIN_STATES)).isZero();
        assertThat(join.numProcessingTimeTimers()).isZero();
        assertThat(metrics().unmatchedOutputsDropped.getCount()).isEqualTo(1);
        assertThat(metrics().lateOutputsDropped.getCount()).isEqualTo(1);
        join.processElement1(new StreamRecord<>(pending("a")));
        assertThat(results()).isEmpty();
    }

    @Test
    void anObjectOlderThanItsSubmissionNeverAnswersIt() throws Exception {
        TaggedOutput leftOver =
                new TaggedOutput(
                        "a",
                        new InferenceOutput(
                                "s3://b/out/a.out",
                                ResultStatus.SUCCESS,
                                "from an earlier use of the ID".getBytes(StandardCharsets.UTF_8),
                                null,
                                SUBMIT - InferenceResultJoin.STALE_TOLERANCE_MILLIS - 1,
                                29,
                                null));
        join.processElement2(new StreamRecord<>(leftOver));
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(leftOver));
        assertThat(results()).as("stale, before and after the pending record").isEmpty();

        join.processElement2(new StreamRecord<>(output("a", "fresh")));
        assertThat(new String(results().get(0).output(), StandardCharsets.UTF_8))
                .isEqualTo("fresh");
    }

    @Test
    void aResponseWithoutAFailureLocationWaitsForItsOutputOnly() throws Exception {
        PendingInference<String> noFailurePath =
                PendingInference.accepted(
                        "a",
                        "s3://b/out/a.out",
                        null,
                        SubmitPath.INLINE,
                        3,
                        SUBMIT,
                        DEADLINE,
                        null,
                        "element-a");
        join.processElement1(new StreamRecord<>(noFailurePath));
        join.processElement2(new StreamRecord<>(output("a", "x")));

        assertThat(results())
                .singleElement()
                .extracting(InferenceResult::status)
                .isEqualTo(InferenceStatus.SUCCESS);
    }

    @Test
    void aDecidedInferenceKeepsOnlyItsDuplicateWindowAndOneTimer() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        assertThat(join.numProcessingTimeTimers()).as("the deadline").isEqualTo(1);
        join.processElement2(new StreamRecord<>(output("a", "x")));

        assertThat(join.numProcessingTimeTimers())
                .as("the deadline timer is deleted; only the duplicate window's remains")
                .isEqualTo(1);
        assertThat(keysWithState(join, InferenceResultJoin.PENDING_STATE)).isZero();
        assertThat(keysWithState(join, InferenceResultJoin.DONE_STATE)).isEqualTo(1);

        join.setProcessingTime(SUBMIT + DUPLICATES);
        assertThat(keysWithState(join, JOIN_STATES)).isZero();
        assertThat(join.numProcessingTimeTimers()).isZero();
    }

    @Test
    void anUnmatchedOutputIsForgottenAfterItsRetention() throws Exception {
        join.processElement2(new StreamRecord<>(output("orphan", "x")));
        assertThat(keysWithState(join, InferenceResultJoin.EARLY_STATE)).isEqualTo(1);
        join.setProcessingTime(SUBMIT + UNMATCHED);

        assertThat(keysWithState(join, JOIN_STATES)).isZero();
        join.processElement1(new StreamRecord<>(pending("orphan")));
        assertThat(results()).isEmpty();
    }

    @Test
    void pendingInferencesSurviveASnapshotAndRestore() throws Exception {
        join.processElement1(new StreamRecord<>(pending("a")));
        join.processElement2(new StreamRecord<>(output("b", "early")));
        OperatorSubtaskState snapshot = join.snapshot(1L, 1L);
        join.close();

        join = newJoin();
        join.setup();
        join.initializeState(snapshot);
        join.open();
        join.setProcessingTime(SUBMIT + 1);
        join.processElement2(new StreamRecord<>(output("a", "for a")));
        join.processElement1(new StreamRecord<>(pending("b")));

        assertThat(results())
                .extracting(InferenceResult::inferenceId)
                .containsExactlyInAnyOrder("a", "b");
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, LocationClaim, InferenceOutput, TaggedOutput>
            tagger(StateBackend backend) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, LocationClaim, InferenceOutput, TaggedOutput>
                tagger =
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(new LocationTagger(CONFIG)),
                                LocationClaim::location,
                                InferenceOutput::location,
                                Types.STRING);
        tagger.setStateBackend(backend);
        tagger.open();
        tagger.setProcessingTime(SUBMIT);
        return tagger;
    }

    private static InferenceOutput listedAt(String location, ResultStatus byPrefix) {
        return new InferenceOutput(location, byPrefix, new byte[] {1}, null, SUBMIT, 1L, null);
    }

    @Test
    void theTaggerPairsObjectsWithTheirClaimInEitherOrderWithTheClaimsStatus() throws Exception {
        try (var tagger = tagger(backend())) {
            PendingInference<String> a = pending("a");
            PendingInference<String> b = pending("b");
            tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(a)));
            tagger.processElement2(
                    new StreamRecord<>(listedAt(a.outputLocation(), ResultStatus.SUCCESS)));
            // A failure object found under a prefix listed as outputs: the claim decides.
            tagger.processElement2(
                    new StreamRecord<>(listedAt(b.failureLocation(), ResultStatus.SUCCESS)));
            tagger.processElement1(new StreamRecord<>(LocationClaim.onFailure(b)));

            assertThat(tagger.extractOutputValues())
                    .extracting(t -> t.inferenceId() + " " + t.output().status())
                    .containsExactly("a SUCCESS", "b MODEL_ERROR");
        }
    }

    @Test
    void aClaimLivesUntilItsDeadlineAndAnUnclaimedObjectForItsRetention() throws Exception {
        try (var tagger = tagger(backend())) {
            PendingInference<String> a = pending("a");
            tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(a)));
            tagger.processElement1(new StreamRecord<>(LocationClaim.onFailure(a)));
            tagger.processElement2(
                    new StreamRecord<>(listedAt(a.outputLocation(), ResultStatus.SUCCESS)));
            tagger.processElement2(
                    new StreamRecord<>(listedAt("s3://b/out/foreign.out", ResultStatus.SUCCESS)));
            assertThat(keysWithState(tagger, TAGGER_STATES))
                    .as("both claims, matched or not, and the foreign object")
                    .isEqualTo(3);
            assertThat(tagger.numProcessingTimeTimers()).isEqualTo(3);

            tagger.setProcessingTime(SUBMIT + UNMATCHED);
            assertThat(keysWithState(tagger, LocationTagger.UNCLAIMED_STATE)).isZero();
            assertThat(keysWithState(tagger, LocationTagger.CLAIM_STATE)).isEqualTo(2);

            tagger.setProcessingTime(DEADLINE);
            assertThat(keysWithState(tagger, TAGGER_STATES))
                    .as("claims end with their inference's deadline")
                    .isZero();
            assertThat(tagger.numProcessingTimeTimers()).isZero();

            tagger.processElement2(
                    new StreamRecord<>(listedAt(a.failureLocation(), ResultStatus.MODEL_ERROR)));
            assertThat(tagger.extractOutputValues())
                    .as("an object after its claim ended is unclaimed, not tagged")
                    .hasSize(1);
        }
    }

    private static InferenceOutput copyAt(String location, long lastModifiedMillis, String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        return new InferenceOutput(
                location,
                ResultStatus.SUCCESS,
                content,
                null,
                lastModifiedMillis,
                content.length,
                null);
    }

    /**
     * A copy left at the location by an earlier use of the ID is listed (again, after a restore)
     * before the fresh one: the claim must still tag the fresh copy, or the answer waits for the
     * deadline look. Both orders of claim and stale copy.
     */
    @Test
    void aStaleCopyListedFirstCannotHideTheFreshOne() throws Exception {
        long stale = SUBMIT - InferenceResultJoin.STALE_TOLERANCE_MILLIS - 1;
        for (boolean claimFirst : new boolean[] {true, false}) {
            try (var tagger = tagger(backend())) {
                PendingInference<String> a = pending("a");
                InferenceOutput leftOver = copyAt(a.outputLocation(), stale, "earlier use");
                if (claimFirst) {
                    tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(a)));
                    tagger.processElement2(new StreamRecord<>(leftOver));
                } else {
                    tagger.processElement2(new StreamRecord<>(leftOver));
                    tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(a)));
                }
                tagger.processElement2(
                        new StreamRecord<>(copyAt(a.outputLocation(), SUBMIT + 3_000L, "fresh")));

                join.close();
                join = newJoin();
                join.setup();
                join.open();
                join.setProcessingTime(SUBMIT + 3_000L);
                join.processElement1(new StreamRecord<>(a));
                for (TaggedOutput tagged : tagger.extractOutputValues()) {
                    join.processElement2(new StreamRecord<>(tagged));
                }

                assertThat(results())
                        .as("claim first: %s", claimFirst)
                        .singleElement()
                        .extracting(r -> new String(r.output(), StandardCharsets.UTF_8))
                        .isEqualTo("fresh");
                assertThat(handedToTheCheck()).isEmpty();
            }
        }
    }

    /** Unclaimed copies of a key listed out of order: the fresher one waits for the claim. */
    @Test
    void theTaggerKeepsTheFresherUnclaimedCopyWhicheverCameFirst() throws Exception {
        try (var tagger = tagger(backend())) {
            PendingInference<String> a = pending("a");
            tagger.processElement2(
                    new StreamRecord<>(copyAt(a.outputLocation(), SUBMIT + 3_000L, "fresh")));
            tagger.processElement2(
                    new StreamRecord<>(
                            copyAt(
                                    a.outputLocation(),
                                    SUBMIT - InferenceResultJoin.STALE_TOLERANCE_MILLIS - 1,
                                    "earlier use")));
            assertThat(tagger.numProcessingTimeTimers()).isEqualTo(1);
            tagger.processElement1(new StreamRecord<>(LocationClaim.onOutput(a)));

            assertThat(tagger.extractOutputValues())
                    .singleElement()
                    .extracting(t -> new String(t.output().content(), StandardCharsets.UTF_8))
                    .isEqualTo("fresh");
        }
    }
}
