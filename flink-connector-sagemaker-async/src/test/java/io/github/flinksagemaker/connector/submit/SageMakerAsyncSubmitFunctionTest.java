package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions.FailureHandling;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationException;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The submit function inside Flink's {@code AsyncWaitOperator}, driven by a test harness, with
 * hand-written fakes behind the connector's client interfaces.
 */
class SageMakerAsyncSubmitFunctionTest {
    private static final long TIMEOUT_MILLIS = 10_000;

    private static SageMakerAsyncSubmitFunction.Builder<String, String> builder(String fake) {
        return builderWithoutInputPrefix(fake).s3InputPrefix("s3://inputs/prefix");
    }

    private static SageMakerAsyncSubmitFunction.Builder<String, String> builderWithoutInputPrefix(
            String fake) {
        return SageMakerAsyncSubmitFunction.<String>builder()
                .endpointName("fake-endpoint")
                .region("us-east-1")
                .inlineLimit(10)
                .serializer(s -> SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8)))
                .inferenceIdExtractor(s -> "id-" + s.length() + "-" + s.hashCode())
                .clientFactory(FakeSageMakerRuntime.factory(fake));
    }

    private static OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness(
            SageMakerAsyncSubmitFunction<String, String> function) throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                new AsyncWaitOperatorFactory<>(
                        function, TIMEOUT_MILLIS, 16, AsyncDataStream.OutputMode.UNORDERED),
                StringSerializer.INSTANCE);
    }

    private static List<PendingInference<String>> run(
            SageMakerAsyncSubmitFunction<String, String> function, String... elements)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(function)) {
            harness.open();
            for (String element : elements) {
                harness.processElement(new StreamRecord<>(element, 0L));
            }
            harness.endInput();
            return harness.extractOutputValues();
        }
    }

    /** A call that failed in the SDK: its message, its SDK error and what it may have done. */
    private static CompletableFuture<InvocationAccepted> failedCall(
            String message, Throwable cause, InvocationException.Outcome outcome) {
        return CompletableFuture.failedFuture(
                new InvocationException(InvocationException.Kind.FAILED, message, cause, outcome));
    }

    private static String name() {
        return UUID.randomUUID().toString();
    }

    @Test
    void sendsSmallPayloadsInlineAndUploadsLargeOnesUnderAKeyFromTheInferenceId() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);

        List<PendingInference<String>> out =
                run(builder(name).build(), "tenbytes!!", "eleven bytes");

        assertThat(out).hasSize(2).noneMatch(PendingInference::isRejected);
        PendingInference<String> inline = find(out, "tenbytes!!");
        PendingInference<String> viaS3 = find(out, "eleven bytes");
        assertThat(inline.path()).isEqualTo(SubmitPath.INLINE);
        assertThat(inline.inputLocation()).isNull();
        assertThat(inline.payloadBytes()).isEqualTo(10);
        assertThat(viaS3.path()).isEqualTo(SubmitPath.S3);
        assertThat(viaS3.payloadBytes()).isEqualTo(12);

        String expectedKey = "prefix/" + viaS3.inferenceId();
        assertThat(viaS3.inputLocation()).isEqualTo("s3://inputs/" + expectedKey);
        assertThat(fake.objects)
                .containsOnlyKeys(new S3Location("inputs", expectedKey))
                .allSatisfy(
                        (location, bytes) ->
                                assertThat(new String(bytes, StandardCharsets.UTF_8))
                                        .isEqualTo("eleven bytes"));

        InvocationRequest inlineCall = call(fake, inline.inferenceId());
        assertThat(inlineCall.body()).isEqualTo("tenbytes!!".getBytes(StandardCharsets.UTF_8));
        assertThat(inlineCall.inputLocation()).isNull();
        InvocationRequest s3Call = call(fake, viaS3.inferenceId());
        assertThat(s3Call.body()).isNull();
        assertThat(s3Call.inputLocation()).isEqualTo(viaS3.inputLocation());
    }

    @Test
    void carriesTheReturnedLocationsTheElementAndADeadline() throws Exception {
        String name = name();
        FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, String> function =
                builder(name)
                        .requestTtl(Duration.ofSeconds(60))
                        .invocationTimeout(Duration.ofSeconds(30))
                        .set(SubmitOptions.RESULT_GRACE, Duration.ofSeconds(10))
                        .build();

        PendingInference<String> pending = run(function, "short").get(0);

        assertThat(pending.element()).isEqualTo("short");
        assertThat(pending.outputLocation())
                .isEqualTo("s3://out/" + pending.inferenceId() + ".out");
        assertThat(pending.failureLocation())
                .isEqualTo("s3://out/" + pending.inferenceId() + "-error.out");
        assertThat(pending.deadlineMillis() - pending.submitTimeMillis()).isEqualTo(100_000L);
    }

    @Test
    void sendsAFilenameOfAtMost32CharactersWithOneDot() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);

        run(builder(name).build(), "short");

        String filename = fake.invocations.get(0).filename();
        assertThat(filename).hasSize(32).matches("[0-9a-f]{28}\\.out");
    }

    @Test
    void snapshotWithElementsInFlightAndRestoreResubmitsUnderTheSameIdsAndKeys() throws Exception {
        String before = name();
        FakeSageMakerRuntime first = FakeSageMakerRuntime.register(before);
        first.holdCalls = true;
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(builder(before).build())) {
            harness.open();
            harness.processElement(new StreamRecord<>("small", 0L));
            harness.processElement(new StreamRecord<>("a large element", 0L));
            assertThat(first.invocations).hasSize(2);
            snapshot = harness.snapshot(1L, 1L);
            assertThat(harness.extractOutputValues()).isEmpty();
            // Let the first attempt finish so the harness can close; its outputs are not used.
            first.held.forEach(
                    future -> future.complete(new InvocationAccepted("x", "s3://o", "s3://f")));
            harness.endInput();
        }

        String after = name();
        FakeSageMakerRuntime second = FakeSageMakerRuntime.register(after);
        List<PendingInference<String>> replayed;
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(builder(after).build())) {
            harness.initializeState(snapshot);
            harness.open();
            harness.endInput();
            replayed = harness.extractOutputValues();
        }

        assertThat(replayed).hasSize(2).noneMatch(PendingInference::isRejected);
        assertThat(second.invocations)
                .extracting(InvocationRequest::inferenceId)
                .containsExactlyInAnyOrderElementsOf(
                        first.invocations.stream().map(InvocationRequest::inferenceId).toList());
        assertThat(second.objects.keySet()).isEqualTo(first.objects.keySet()).hasSize(1);
        assertThat(second.invocations)
                .extracting(InvocationRequest::inputLocation)
                .containsExactlyInAnyOrderElementsOf(
                        first.invocations.stream().map(InvocationRequest::inputLocation).toList());
    }

    @Test
    void aThrowingSerializerRejectsOnlyThatElement() throws Exception {
        String name = name();
        FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, String> function =
                builder(name)
                        .serializer(
                                s -> {
                                    if (s.startsWith("bad")) {
                                        throw new IllegalArgumentException("cannot encode " + s);
                                    }
                                    return SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8));
                                })
                        .build();

        List<PendingInference<String>> out = run(function, "good", "bad one", "fine");

        assertThat(out).hasSize(3);
        PendingInference<String> rejected = find(out, "bad one");
        assertThat(rejected.rejectionReason()).isEqualTo(RejectionReason.SERIALIZATION_FAILED);
        assertThat(rejected.errorMessage())
                .isEqualTo(
                        "Request serializer failed: IllegalArgumentException: cannot encode bad one");
        assertThat(rejected.inferenceId()).isNotNull();
        assertThat(find(out, "good").isRejected()).isFalse();
        assertThat(find(out, "fine").isRejected()).isFalse();
    }

    @Test
    void aValidationErrorRejectsTheElementWithTheServiceMessage() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.validationErrorFor = "id-7-" + "refused".hashCode();

        List<PendingInference<String>> out = run(builder(name).build(), "refused", "ok");

        PendingInference<String> rejected = find(out, "refused");
        assertThat(rejected.rejectionReason()).isEqualTo(RejectionReason.VALIDATION_ERROR);
        assertThat(rejected.errorMessage()).isEqualTo("ValidationError: refused by the fake");
        assertThat(rejected.path()).isEqualTo(SubmitPath.INLINE);
        assertThat(find(out, "ok").isRejected()).isFalse();
        assertThat(fake.invocations).hasSize(2);
    }

    @Test
    void aRejectionAfterTheUploadKeepsTheInputLocationSoCleanupCanDeleteIt() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.validationErrorFor = "id-12-" + "eleven bytes".hashCode();

        PendingInference<String> rejected = run(builder(name).build(), "eleven bytes").get(0);

        assertThat(rejected.rejectionReason()).isEqualTo(RejectionReason.VALIDATION_ERROR);
        assertThat(rejected.path()).isEqualTo(SubmitPath.S3);
        assertThat(rejected.inputLocation())
                .isEqualTo("s3://inputs/prefix/" + fake.validationErrorFor);
        assertThat(fake.objects).containsKey(S3Location.parse(rejected.inputLocation(), "input"));
    }

    @Test
    void anOversizedPayloadWithoutAnInputPrefixIsRejectedNamingBothOptions() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, String> function =
                builderWithoutInputPrefix(name).build();

        PendingInference<String> rejected = run(function, "more than ten bytes").get(0);

        assertThat(rejected.rejectionReason()).isEqualTo(RejectionReason.PAYLOAD_TOO_LARGE);
        assertThat(rejected.errorMessage())
                .contains("19 bytes")
                .contains("'sagemaker.inline-limit'")
                .contains("'sagemaker.s3.input-prefix'");
        assertThat(fake.invocations).isEmpty();
    }

    @Test
    void anEmptyPayloadIsRejectedBeforeAnyCall() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, String> function =
                builder(name).serializer(s -> SerializedRequest.of(new byte[0])).build();

        PendingInference<String> rejected = run(function, "x").get(0);

        assertThat(rejected.rejectionReason()).isEqualTo(RejectionReason.SERIALIZATION_FAILED);
        assertThat(rejected.errorMessage()).contains("empty payload");
        assertThat(fake.invocations).isEmpty();
    }

    @Test
    void anInvalidInferenceIdIsRejectedBeforeAnyCall() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, String> function =
                builder(name).inferenceIdExtractor(s -> " " + s).build();

        PendingInference<String> rejected = run(function, "x").get(0);

        assertThat(rejected.rejectionReason()).isEqualTo(RejectionReason.INVALID_INFERENCE_ID);
        assertThat(rejected.errorMessage()).contains("not start with white space");
        assertThat(fake.invocations).isEmpty();
    }

    @Test
    void aSubmissionWhoseRequestWentOutStaysPendingUnderItsIdAtTheOperatorTimeout()
            throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.holdCalls = true;
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(
                        builder(name)
                                .set(WatchOptions.OUTPUT_PATH, "s3://bucket/async/output")
                                .build())) {
            harness.open();
            harness.setProcessingTime(0L);
            harness.processElement(new StreamRecord<>("slow", 0L));
            harness.setProcessingTime(TIMEOUT_MILLIS + 1);
            harness.endInput();

            // The service may have accepted it and may run it: its result decides, not the clock.
            PendingInference<String> pending = harness.extractOutputValues().get(0);
            String id = fake.invocations.get(0).inferenceId();
            assertThat(pending.isRejected()).isFalse();
            assertThat(pending.inferenceId()).isEqualTo(id);
            assertThat(pending.element()).isEqualTo("slow");
            assertThat(pending.outputLocation())
                    .isEqualTo("s3://bucket/async/output/" + fake.invocations.get(0).filename());
            assertThat(pending.failureLocation()).isNull();
            assertThat(harness.getEnvironment().getActualExternalFailureCause()).isEmpty();
            fake.held.forEach(f -> f.complete(new InvocationAccepted("x", "s3://o", "s3://f")));
        }
    }

    @Test
    void twoElementsThatAreTheSameObjectEachGetTheirOwnRecord() throws Exception {
        // Boxed small numbers, enums and interned strings arrive as one shared object.
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.holdCalls = true;
        String shared = "same";
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(builderWithoutInputPrefix(name).inferenceIdExtractor(s -> "id").build())) {
            harness.open();
            harness.processElement(new StreamRecord<>(shared, 0L));
            harness.processElement(new StreamRecord<>(shared, 0L));
            fake.held.forEach(
                    f -> f.complete(new InvocationAccepted("id", "s3://o/id.out", "s3://f/id")));
            harness.endInput();

            assertThat(harness.extractOutputValues())
                    .hasSize(2)
                    .allSatisfy(p -> assertThat(p.isRejected()).isFalse());
        }
    }

    @Test
    void aSubmissionStillWaitingForCapacityAtTheOperatorTimeoutIsRejected() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.holdCalls = true;
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(builder(name).capacity(1).build())) {
            harness.open();
            harness.setProcessingTime(0L);
            harness.processElement(new StreamRecord<>("sent", 0L));
            harness.processElement(new StreamRecord<>("waiting", 0L));
            harness.setProcessingTime(TIMEOUT_MILLIS + 1);
            fake.held.forEach(f -> f.complete(new InvocationAccepted("x", "s3://o", "s3://f")));
            harness.endInput();

            assertThat(fake.invocations).hasSize(1);
            assertThat(harness.extractOutputValues())
                    .filteredOn(PendingInference::isRejected)
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(p.element()).isEqualTo("waiting");
                                assertThat(p.rejectionReason())
                                        .isEqualTo(RejectionReason.SUBMIT_TIMEOUT);
                                assertThat(p.errorMessage()).contains("'sagemaker.submit.timeout'");
                            });
        }
    }

    @Test
    void aCallThatWentOutWithoutAnAnswerUntilTheGiveUpTimeStaysPendingNotRejected()
            throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.answer =
                request ->
                        failedCall(
                                "Sent, no answer: ApiCallTimeoutException",
                                ApiCallTimeoutException.create(1_000),
                                InvocationException.Outcome.UNANSWERED);
        List<PendingInference<String>> out =
                run(builder(name).submitTimeout(Duration.ofSeconds(2)).build(), "a");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.isRejected()).isFalse();
                            assertThat(p.inferenceId())
                                    .isEqualTo(fake.invocations.get(0).inferenceId());
                            // No output path configured: the location is not known in advance.
                            assertThat(p.outputLocation()).isNull();
                        });
        // Sent again while time was left, always under the same ID.
        assertThat(fake.invocations).hasSizeGreaterThan(1);
        assertThat(fake.invocations)
                .extracting(InvocationRequest::inferenceId)
                .containsOnly(fake.invocations.get(0).inferenceId());
    }

    @Test
    void errorsTheSdkDoesNotRetryAreRetriedUntilTheServiceAccepts() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        List<Throwable> failures =
                List.of(
                        SdkClientException.create(
                                "Unable to execute HTTP request: Acquire operation took longer than"
                                        + " the configured maximum time",
                                new Throwable(
                                        "Acquire operation took longer than the configured"
                                                + " maximum time.",
                                        new TimeoutException(
                                                "Acquire operation took longer than 10000"
                                                        + " milliseconds."))),
                        AbortedException.create("Thread was interrupted"),
                        SdkClientException.create(
                                "Unable to load credentials from any of the providers in the"
                                        + " chain"));
        AtomicInteger calls = new AtomicInteger();
        fake.answer =
                request -> {
                    int call = calls.getAndIncrement();
                    if (call < failures.size()) {
                        return failedCall(
                                "failed",
                                failures.get(call),
                                InvocationException.Outcome.NOT_ACCEPTED);
                    }
                    return CompletableFuture.completedFuture(
                            new InvocationAccepted(
                                    request.inferenceId(), "s3://out/a.out", "s3://out/a-e.out"));
                };

        List<PendingInference<String>> out = run(builder(name).build(), "a");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.isRejected()).isFalse();
                            assertThat(p.outputLocation()).isEqualTo("s3://out/a.out");
                        });
        assertThat(fake.invocations).hasSize(4);
    }

    @Test
    void aBrokenUploadIsRetriedNotRejected() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        AtomicInteger uploads = new AtomicInteger();
        fake.uploadAnswer =
                location ->
                        uploads.incrementAndGet() <= 2
                                ? CompletableFuture.failedFuture(S3Errors.of(400, "IncompleteBody"))
                                : CompletableFuture.completedFuture(null);

        List<PendingInference<String>> out = run(builder(name).build(), "larger than ten bytes");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.isRejected()).isFalse();
                            assertThat(p.path()).isEqualTo(SubmitPath.S3);
                        });
        assertThat(uploads).hasValue(3);
        assertThat(fake.objects).hasSize(1);
    }

    @Test
    void aFailureTheServiceAnsweredIsRejectedOnceNoTimeIsLeft() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.answer =
                request ->
                        failedCall(
                                "ServiceUnavailable (503)",
                                S3Errors.of(503, "ServiceUnavailable"),
                                InvocationException.Outcome.NOT_ACCEPTED);
        List<PendingInference<String>> out =
                run(builder(name).submitTimeout(Duration.ofSeconds(2)).build(), "a");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.rejectionReason())
                                    .isEqualTo(RejectionReason.SUBMIT_FAILED);
                            assertThat(p.errorMessage()).contains("ServiceUnavailable");
                        });
        assertThat(fake.invocations).hasSizeGreaterThan(1);
    }

    @Test
    void failureHandlingFailFailsTheJobForABadElement() throws Exception {
        String name = name();
        FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, String> function =
                builder(name)
                        .failureHandling(FailureHandling.FAIL)
                        .serializer(
                                s -> {
                                    throw new IllegalStateException("boom");
                                })
                        .build();
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(function)) {
            harness.getEnvironment().setExpectedExternalFailureCause(Throwable.class);
            harness.open();
            harness.processElement(new StreamRecord<>("x", 0L));
            harness.endInput();

            assertThat(harness.getEnvironment().getActualExternalFailureCause())
                    .hasValueSatisfying(
                            cause ->
                                    assertThat(cause)
                                            .rootCause()
                                            .isInstanceOf(SageMakerAsyncSubmitException.class)
                                            .hasMessageContaining("SERIALIZATION_FAILED")
                                            .hasMessageContaining("boom"));
            assertThat(harness.extractOutputValues()).isEmpty();
        }
    }

    @Test
    void carriesAProjectionInsteadOfTheElement() throws Exception {
        String name = name();
        FakeSageMakerRuntime.register(name);
        SageMakerAsyncSubmitFunction<String, Integer> function =
                builder(name)
                        .projection(String::length, org.apache.flink.api.common.typeinfo.Types.INT)
                        .build();
        try (OneInputStreamOperatorTestHarness<String, PendingInference<Integer>> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new AsyncWaitOperatorFactory<>(
                                function, TIMEOUT_MILLIS, 16, AsyncDataStream.OutputMode.UNORDERED),
                        StringSerializer.INSTANCE)) {
            harness.open();
            harness.processElement(new StreamRecord<>("four", 0L));
            harness.endInput();
            assertThat(harness.extractOutputValues())
                    .singleElement()
                    .extracting(PendingInference::element)
                    .isEqualTo(4);
        }
    }

    private static PendingInference<String> find(
            List<PendingInference<String>> out, String element) {
        return out.stream()
                .filter(p -> element.equals(p.element()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no output for " + element + " in " + out));
    }

    private static InvocationRequest call(FakeSageMakerRuntime fake, String inferenceId) {
        return fake.invocations.stream()
                .filter(r -> r.inferenceId().equals(inferenceId))
                .findFirst()
                .orElseThrow();
    }

    private static List<PendingInference<String>> answeredWith(
            java.util.function.Function<InvocationRequest, CompletableFuture<InvocationAccepted>>
                    answer,
            String... elements)
            throws Exception {
        String name = name();
        FakeSageMakerRuntime.register(name).answer = answer;
        return run(builder(name).build(), elements);
    }

    @Test
    void aResponseWithoutAFailureLocationIsAcceptedAndAwaitsItsOutputOnly() throws Exception {
        List<PendingInference<String>> out =
                answeredWith(
                        request ->
                                CompletableFuture.completedFuture(
                                        new InvocationAccepted(
                                                request.inferenceId(), "s3://out/x.out", null)),
                        "a");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.isRejected()).isFalse();
                            assertThat(p.outputLocation()).isEqualTo("s3://out/x.out");
                            assertThat(p.failureLocation()).isNull();
                        });
    }

    @Test
    void anAcceptedResponseTheConnectorCannotUseKeepsTheElementPendingNotRejected()
            throws Exception {
        // A 202 without an output location: the inference runs and is billed, so its result
        // (found by its ID) decides, not the throw that completing it met.
        List<PendingInference<String>> out =
                answeredWith(
                        request ->
                                CompletableFuture.completedFuture(
                                        new InvocationAccepted(request.inferenceId(), null, null)),
                        "a");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.isRejected()).isFalse();
                            assertThat(p.inferenceId()).isNotNull();
                            assertThat(p.element()).isEqualTo("a");
                        });
    }

    @Test
    void aCallThatKeptFailingUntilItsTimeRanOutIsRejectedAsSubmitFailed() throws Exception {
        List<PendingInference<String>> out =
                answeredWith(
                        request ->
                                CompletableFuture.failedFuture(
                                        new InvocationException(
                                                InvocationException.Kind.FAILED,
                                                "Gave up at the submit timeout, still failing:"
                                                        + " ThrottlingException (429)",
                                                null)),
                        "a");

        assertThat(out)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.rejectionReason())
                                    .isEqualTo(RejectionReason.SUBMIT_FAILED);
                            assertThat(p.errorMessage()).contains("ThrottlingException");
                        });
    }

    @Test
    void aFatalFaultFailsTheOperatorEvenWhenElementsAreRejectedOtherwise() throws Exception {
        String name = name();
        FakeSageMakerRuntime.register(name).answer =
                request ->
                        CompletableFuture.failedFuture(
                                new FatalAwsException("InvokeEndpointAsync failed: credentials"));
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(builder(name).failureHandling(FailureHandling.REJECT).build())) {
            harness.getEnvironment().setExpectedExternalFailureCause(Throwable.class);
            harness.open();
            harness.processElement(new StreamRecord<>("a", 0L));
            long until = System.nanoTime() + 10_000_000_000L;
            while (harness.getEnvironment().getActualExternalFailureCause().isEmpty()) {
                assertThat(System.nanoTime()).as("the operator fails in time").isLessThan(until);
                Thread.sleep(10);
            }

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getEnvironment().getActualExternalFailureCause())
                    .hasValueSatisfying(
                            cause ->
                                    assertThat(cause)
                                            .hasRootCauseInstanceOf(FatalAwsException.class));
        }
    }

    /**
     * The input prefix's KMS key is the same for every upload: a key the job cannot use (disabled,
     * denied by its key policy) dooms them all, so the job fails naming the key's fix, rather than
     * rejecting every large element one by one.
     */
    @Test
    void anUploadRefusedForItsKmsKeyFailsTheOperatorWithTheKeysFix() throws Exception {
        String name = name();
        FakeSageMakerRuntime fake = FakeSageMakerRuntime.register(name);
        fake.uploadAnswer =
                location ->
                        CompletableFuture.failedFuture(S3Errors.of(400, "KMS.DisabledException"));
        try (OneInputStreamOperatorTestHarness<String, PendingInference<String>> harness =
                harness(builder(name).failureHandling(FailureHandling.REJECT).build())) {
            harness.getEnvironment().setExpectedExternalFailureCause(Throwable.class);
            harness.open();
            harness.processElement(new StreamRecord<>("larger than ten bytes", 0L));
            long until = System.nanoTime() + 10_000_000_000L;
            while (harness.getEnvironment().getActualExternalFailureCause().isEmpty()) {
                assertThat(System.nanoTime()).as("the operator fails in time").isLessThan(until);
                Thread.sleep(10);
            }

            assertThat(harness.extractOutputValues()).as("no element rejected").isEmpty();
            assertThat(harness.getEnvironment().getActualExternalFailureCause())
                    .hasValueSatisfying(
                            cause ->
                                    assertThat(cause)
                                            .hasRootCauseInstanceOf(FatalAwsException.class)
                                            .rootCause()
                                            .hasMessageContaining("s3:PutObject")
                                            .hasMessageContaining("KMS.DisabledException")
                                            .hasMessageContaining("kms:GenerateDataKey"));
        }
    }
}
