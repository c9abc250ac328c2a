package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.InvocationException;
import io.github.flinksagemaker.connector.sagemaker.InvocationRequest;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitClientFactory;
import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SQL caller's resources, with hand-written fakes behind the connector's client interfaces: the
 * submit-only function reads no results (no S3 reader, no poller thread), the waiting ones use one
 * S3 store for uploads and reads, and closing closes each client once.
 */
class AsyncInferenceCallerTest {
    private static final RetryListener QUIET =
            new RetryListener() {
                @Override
                public void onRetry() {}

                @Override
                public void onThrottled() {}
            };

    /** Counts the clients it makes and their closes; every call is accepted at once. */
    private static final class CountingClients implements SubmitClientFactory {
        private static final long serialVersionUID = 1L;
        final AtomicInteger stores = new AtomicInteger();
        final AtomicInteger closedStores = new AtomicInteger();
        final List<InvocationRequest> calls = new CopyOnWriteArrayList<>();
        final InMemoryObjectStore objects = new InMemoryObjectStore();

        /** When set, every request goes out and no answer comes back. */
        volatile boolean noAnswer;

        @Override
        public SageMakerRuntimeProxy sageMakerRuntime(SubmitConfig config, RetryListener listener) {
            return new SageMakerRuntimeProxy() {
                @Override
                public CompletableFuture<InvocationAccepted> invokeEndpointAsync(
                        InvocationRequest request) {
                    calls.add(request);
                    if (noAnswer) {
                        return CompletableFuture.failedFuture(
                                new InvocationException(
                                        InvocationException.Kind.FAILED,
                                        "Sent, no answer",
                                        ApiCallTimeoutException.create(100),
                                        InvocationException.Outcome.UNANSWERED));
                    }
                    return CompletableFuture.completedFuture(
                            new InvocationAccepted(
                                    request.inferenceId(),
                                    "s3://b/out/" + request.inferenceId() + ".out",
                                    "s3://b/failure/" + request.inferenceId() + "-error.out"));
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public S3ObjectStore s3(SubmitConfig config, RetryListener listener) {
            stores.incrementAndGet();
            return new DelegatingStore(objects) {
                @Override
                public void close() {
                    closedStores.incrementAndGet();
                }
            };
        }
    }

    private static Map<String, String> options(boolean inputPrefix) {
        Map<String, String> options = new TreeMap<>();
        options.put("sagemaker.endpoint-name", "fake");
        options.put("aws.region", "us-east-1");
        options.put("sagemaker.result.poll-initial-delay", "10 ms");
        options.put("sagemaker.result.timeout", "10 s");
        if (inputPrefix) {
            options.put("sagemaker.s3.input-prefix", "s3://b/in");
        }
        return options;
    }

    private static AsyncInferenceCaller caller(
            CountingClients clients, boolean inputPrefix, boolean awaitsResults) {
        return caller(clients, options(inputPrefix), awaitsResults);
    }

    private static AsyncInferenceCaller caller(
            CountingClients clients, Map<String, String> options, boolean awaitsResults) {
        return new AsyncInferenceCaller(
                SqlInvokeConfig.of(options, Duration.ofMinutes(3), "test", awaitsResults),
                clients,
                QUIET,
                awaitsResults,
                System::currentTimeMillis);
    }

    private static long pollerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("sagemaker-async-result-poller"))
                .count();
    }

    @Test
    void aRowWhoseRequestGotNoAnswerAndWhoseOutputCannotBeKnownTimesOutSayingSoNotRejected()
            throws Exception {
        CountingClients clients = new CountingClients();
        clients.noAnswer = true;
        try (AsyncInferenceCaller caller = caller(clients, false, true)) {
            AwaitedResult row =
                    caller.call(
                                    SerializedRequest.of("x".getBytes(StandardCharsets.UTF_8)),
                                    System.currentTimeMillis() + 1_500)
                            .get(30, TimeUnit.SECONDS);

            assertThat(row.status()).isEqualTo(RowStatus.TIMED_OUT);
            assertThat(row.errorString()).contains("outcome and result location are unknown");
            assertThat(clients.calls)
                    .extracting(InvocationRequest::inferenceId)
                    .containsOnly(row.inferenceId());
        }
    }

    @Test
    void aSubmitOnlyRowWhoseRequestGotNoAnswerIsReturnedUnconfirmed() throws Exception {
        CountingClients clients = new CountingClients();
        clients.noAnswer = true;
        Map<String, String> options = options(false);
        options.put("sagemaker.submit.timeout", "1500 ms");
        try (AsyncInferenceCaller caller = caller(clients, options, false)) {
            AsyncInferenceCaller.SubmitOutcome outcome =
                    caller.submit(SerializedRequest.of("x".getBytes(StandardCharsets.UTF_8)))
                            .get(30, TimeUnit.SECONDS);

            assertThat(outcome.rejection()).isNull();
            assertThat(outcome.submission().confirmed()).isFalse();
            assertThat(outcome.submission().accepted().inferenceId())
                    .isEqualTo(clients.calls.get(0).inferenceId());
        }
    }

    @Test
    void theSubmitOnlyCallerHasNoS3ReaderAndNoPollerThread() throws Exception {
        CountingClients clients = new CountingClients();
        long pollersBefore = pollerThreads();
        try (AsyncInferenceCaller caller = caller(clients, false, false)) {
            AsyncInferenceCaller.SubmitOutcome outcome =
                    caller.submit(SerializedRequest.of("x".getBytes(StandardCharsets.UTF_8)))
                            .join();

            assertThat(outcome.submission()).isNotNull();
            assertThat(clients.stores).hasValue(0);
            assertThat(pollerThreads())
                    .as("no poller thread (others' may have ended meanwhile)")
                    .isLessThanOrEqualTo(pollersBefore);
        }
    }

    @Test
    void aWaitingCallerUploadsAndReadsThroughOneS3StoreAndClosesItOnce() throws Exception {
        CountingClients clients = new CountingClients();
        AsyncInferenceCaller caller = caller(clients, true, true);
        byte[] large = new byte[200_000];
        CompletableFuture<AwaitedResult> result =
                caller.call(SerializedRequest.of(large), caller.rowDeadline());
        String id = clients.calls.get(0).inferenceId();
        clients.objects.put(S3Location.parse("s3://b/out/" + id + ".out", "test"), "done", 0);

        assertThat(result.join().status()).isEqualTo(RowStatus.SUCCESS);
        assertThat(clients.calls.get(0).inputLocation()).isEqualTo("s3://b/in/" + id);
        assertThat(clients.stores).as("one store for the upload and the reads").hasValue(1);
        caller.close();
        assertThat(clients.closedStores).hasValue(1);
    }

    @Test
    void aWaitingCallerWithoutAnInputPrefixMakesItsOwnStoreAndClosesIt() {
        CountingClients clients = new CountingClients();
        AsyncInferenceCaller caller = caller(clients, false, true);

        assertThat(clients.stores).hasValue(1);
        caller.close();
        assertThat(clients.closedStores).hasValue(1);
    }

    @Test
    void afterAFaultThatDoomsEveryRowNothingMoreIsSubmitted() {
        CountingClients clients = new CountingClients();
        AsyncInferenceCaller caller = caller(clients, false, true);
        clients.objects.failAllReads(S3Errors.of(403, "InvalidAccessKeyId"));
        SerializedRequest request = SerializedRequest.of("x".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> caller.call(request, caller.rowDeadline()).join())
                .hasCauseInstanceOf(FatalAwsException.class);
        assertThatThrownBy(() -> caller.call(request, caller.rowDeadline()).join())
                .as("the planner's retry of the row, or the next row")
                .hasCauseInstanceOf(FatalAwsException.class);
        assertThat(clients.calls).as("submitted once, never again").hasSize(1);
        caller.close();
    }

    private static SerializedRequest payload(String text) {
        return SerializedRequest.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static AsyncInferenceCaller callerAt(
            CountingClients clients, boolean awaitsResults, LongSupplier clock) {
        return new AsyncInferenceCaller(
                SqlInvokeConfig.of(options(true), Duration.ofMinutes(3), "test", awaitsResults),
                clients,
                QUIET,
                awaitsResults,
                clock);
    }

    @Test
    void aRowReplayedUnderItsGivenIdWaitsForItsFirstSubmissionInsteadOfInvokingAgain()
            throws Exception {
        CountingClients clients = new CountingClients();
        AtomicInteger reused = new AtomicInteger();
        try (AsyncInferenceCaller first = caller(clients, true, true)) {
            CompletableFuture<AwaitedResult> row =
                    first.call(payload("order 1"), "order-1", first.rowDeadline());
            clients.objects.put(S3Location.parse("s3://b/out/order-1.out", "test"), "done", 0);

            assertThat(row.get(30, TimeUnit.SECONDS).status()).isEqualTo(RowStatus.SUCCESS);
            assertThat(clients.calls)
                    .extracting(InvocationRequest::inferenceId)
                    .containsExactly("order-1");
            assertThat(
                            clients.objects.contains(
                                    S3Location.parse("s3://b/in/fake/order-1.submitted", "t")))
                    .as("its submission is recorded under the input prefix, by endpoint")
                    .isTrue();
        }
        // After a failover: a new instance, the same row.
        try (AsyncInferenceCaller restarted = caller(clients, true, true)) {
            restarted.onReuse(reused::incrementAndGet);
            AwaitedResult replayed =
                    restarted
                            .call(payload("order 1"), "order-1", restarted.rowDeadline())
                            .get(30, TimeUnit.SECONDS);

            assertThat(replayed.status()).isEqualTo(RowStatus.SUCCESS);
            assertThat(new String(replayed.content(), StandardCharsets.UTF_8)).isEqualTo("done");
            assertThat(replayed.inferenceId()).isEqualTo("order-1");
            assertThat(clients.calls).as("not invoked again").hasSize(1);
            assertThat(reused).hasValue(1);
        }
    }

    @Test
    void aSubmitOnlyRowReplayedUnderItsGivenIdGetsItsFirstSubmissionBack() throws Exception {
        CountingClients clients = new CountingClients();
        AsyncInferenceCaller.SubmitOutcome first;
        try (AsyncInferenceCaller caller = caller(clients, true, false)) {
            first = caller.submit(payload("order 1"), "order-1").get(30, TimeUnit.SECONDS);
        }
        try (AsyncInferenceCaller restarted = caller(clients, true, false)) {
            AsyncInferenceCaller.SubmitOutcome replayed =
                    restarted.submit(payload("order 1"), "order-1").get(30, TimeUnit.SECONDS);

            assertThat(replayed.submission().accepted())
                    .isEqualTo(first.submission().accepted())
                    .isEqualTo(
                            new InvocationAccepted(
                                    "order-1",
                                    "s3://b/out/order-1.out",
                                    "s3://b/failure/order-1-error.out"));
            assertThat(replayed.submission().confirmed()).isTrue();
            assertThat(clients.calls).as("not invoked again").hasSize(1);
        }
    }

    @Test
    void anIdSubmittedBeforeForAnotherPayloadIsRejectedNeverAnsweredWithTheOthersResult()
            throws Exception {
        CountingClients clients = new CountingClients();
        try (AsyncInferenceCaller caller = caller(clients, true, false)) {
            caller.submit(payload("order 1"), "order-1").get(30, TimeUnit.SECONDS);
            AsyncInferenceCaller.SubmitOutcome other =
                    caller.submit(payload("order 2"), "order-1").get(30, TimeUnit.SECONDS);

            assertThat(other.submission()).isNull();
            assertThat(other.rejection().status()).isEqualTo(RowStatus.REJECTED);
            assertThat(other.rejection().message())
                    .startsWith("DUPLICATE_INFERENCE_ID: inference ID 'order-1' was submitted at")
                    .endsWith("for another payload; inference IDs must be unique per row");
            assertThat(clients.calls).hasSize(1);
        }
    }

    @Test
    void twoRowsInFlightUnderOneIdAreNotBothSubmitted() throws Exception {
        CountingClients clients = new CountingClients();
        try (AsyncInferenceCaller caller = caller(clients, true, true)) {
            CompletableFuture<AwaitedResult> first =
                    caller.call(payload("a"), "order-1", caller.rowDeadline());
            AwaitedResult second =
                    caller.call(payload("b"), "order-1", caller.rowDeadline())
                            .get(30, TimeUnit.SECONDS);

            assertThat(second.status()).isEqualTo(RowStatus.REJECTED);
            assertThat(second.message())
                    .isEqualTo(
                            "DUPLICATE_INFERENCE_ID: another row in flight uses inference ID"
                                    + " 'order-1'; inference IDs must be unique per row");
            clients.objects.put(S3Location.parse("s3://b/out/order-1.out", "test"), "a", 0);
            assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(RowStatus.SUCCESS);
            assertThat(clients.calls).hasSize(1);
        }
    }

    @Test
    void aRecordS3DeniesIsReadAsAbsentTheRowInvokedAndTheDenialCountedAndWarnedOnce()
            throws Exception {
        CountingClients clients = new CountingClients();
        for (String id : List.of("order-1", "order-2")) {
            clients.objects.failReads(
                    S3Location.parse("s3://b/in/fake/" + id + ".submitted", "t"),
                    S3Errors.of(403, "AccessDenied"));
        }
        try (AsyncInferenceCaller caller = caller(clients, true, false)) {
            AsyncInferenceCaller.SubmitOutcome one =
                    caller.submit(payload("order 1"), "order-1").get(30, TimeUnit.SECONDS);
            AsyncInferenceCaller.SubmitOutcome two =
                    caller.submit(payload("order 2"), "order-2").get(30, TimeUnit.SECONDS);

            assertThat(one.rejection()).isNull();
            assertThat(two.rejection()).isNull();
            assertThat(clients.calls)
                    .extracting(InvocationRequest::inferenceId)
                    .containsExactly("order-1", "order-2");
            assertThat(caller.deniedRecordReads()).isEqualTo(2);
        }
    }

    @Test
    void aNullOrInvalidGivenIdIsARejectedRowWithoutACall() throws Exception {
        CountingClients clients = new CountingClients();
        try (AsyncInferenceCaller caller = caller(clients, true, true)) {
            for (String[] idAndProblem :
                    new String[][] {
                        {null, "the inference ID is NULL"},
                        {"", "the inference ID is empty"},
                        {"x".repeat(65), "the inference ID has 65 characters, at most 64 allowed"},
                        {
                            " order-1",
                            "the inference ID must be printable ASCII and not start with white"
                                    + " space"
                        },
                        {
                            "order-é",
                            "the inference ID must be printable ASCII and not start with white"
                                    + " space"
                        },
                    }) {
                AwaitedResult row =
                        caller.call(payload("a"), true, idAndProblem[0], caller.rowDeadline())
                                .get(30, TimeUnit.SECONDS);

                assertThat(row.status()).isEqualTo(RowStatus.REJECTED);
                assertThat(row.message()).isEqualTo("INVALID_INFERENCE_ID: " + idAndProblem[1]);
            }
            assertThat(clients.calls).isEmpty();
        }
    }

    @Test
    void aGivenIdNeedsAnInputPrefixToRecordItsSubmission() {
        CountingClients clients = new CountingClients();
        try (AsyncInferenceCaller caller = caller(clients, false, false)) {
            assertThatThrownBy(() -> caller.submit(payload("a"), "order-1").join())
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(
                            "A row that gives its inference ID needs option"
                                    + " 'sagemaker.s3.input-prefix'");
            assertThat(clients.calls).isEmpty();
        }
    }

    @Test
    void aRecordOlderThanTheServiceCouldStillAnswerIsIgnoredAndTheRowSubmittedAgain()
            throws Exception {
        CountingClients clients = new CountingClients();
        AtomicLong now = new AtomicLong(System.currentTimeMillis());
        try (AsyncInferenceCaller caller = callerAt(clients, false, now::get)) {
            caller.submit(payload("order 1"), "order-1").get(30, TimeUnit.SECONDS);
            // RequestTTL (6 h by default) + InvocationTimeout (15 min) + grace have passed.
            now.addAndGet(Duration.ofHours(7).toMillis());
            AsyncInferenceCaller.SubmitOutcome later =
                    caller.submit(payload("order 1"), "order-1").get(30, TimeUnit.SECONDS);

            assertThat(later.submission()).isNotNull();
            assertThat(clients.calls).hasSize(2);
            assertThat(clients.calls.get(0).filename())
                    .as("each submission has its own output name: the earlier output never answers")
                    .isNotEqualTo(clients.calls.get(1).filename());
        }
    }

    /** Forwards to another store; tests override what they count. */
    private static class DelegatingStore implements S3ObjectStore {
        private final S3ObjectStore delegate;

        DelegatingStore(S3ObjectStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<Void> putObject(
                S3Location location, byte[] bytes, String contentType, java.time.Duration timeout) {
            return delegate.putObject(location, bytes, contentType, timeout);
        }

        @Override
        public CompletableFuture<Integer> listObjects(
                S3Location prefix,
                boolean directChildrenOnly,
                java.util.function.Consumer<io.github.flinksagemaker.connector.s3.S3ObjectSummary>
                        consumer) {
            return delegate.listObjects(prefix, directChildrenOnly, consumer);
        }

        @Override
        public CompletableFuture<io.github.flinksagemaker.connector.s3.S3ObjectSummary> findObject(
                S3Location location) {
            return delegate.findObject(location);
        }

        @Override
        public CompletableFuture<io.github.flinksagemaker.connector.s3.S3ObjectContent> getObject(
                S3Location location) {
            return delegate.getObject(location);
        }

        @Override
        public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
            return delegate.deleteObjects(bucket, keys);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
