package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.sagemaker.SageMakerRuntimeProxy;
import io.github.flinksagemaker.connector.submit.InferenceIds;
import io.github.flinksagemaker.connector.submit.InferenceSubmitter;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmissionRejectedException;
import io.github.flinksagemaker.connector.submit.SubmitClientFactory;
import io.github.flinksagemaker.connector.submit.SubmitConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Submits a payload and, for the functions that return the model's output, waits for its result,
 * all within the row's time: what the SQL surface needs from the connector, once per function
 * instance. Every outcome of a row is an {@link AwaitedResult}; only a fault that dooms every row
 * ({@link FatalAwsException}: wrong credentials, a missing permission, endpoint or bucket) fails
 * the future. One S3 client serves uploads and result reads; a submit-only caller has no poller.
 */
@Internal
final class AsyncInferenceCaller implements AutoCloseable {
    private final SqlInvokeConfig config;
    private final InferenceSubmitter submitter;
    private final S3ObjectStore store;
    private final boolean ownsStore;
    private final ScheduledExecutorService scheduler;
    private final ResultPoller poller;
    private final LongSupplier clock;

    /** Null without an input prefix: then no row may give its own inference ID. */
    private final SubmissionRecords records;

    /** The given IDs of this instance's rows in flight. */
    private final Set<String> inUse = ConcurrentHashMap.newKeySet();

    private volatile Runnable onReuse = () -> {};

    /**
     * The first fault that dooms every row: later rows fail with it at once, so that the planner's
     * retries of a failed function submit nothing more before the job fails.
     */
    private volatile FatalAwsException fatal;

    AsyncInferenceCaller(
            SqlInvokeConfig config,
            SubmitClientFactory clients,
            RetryListener listener,
            boolean awaitsResults,
            LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        OneS3Store shared = new OneS3Store(clients);
        this.submitter = InferenceSubmitter.open(config.submit(), shared, listener, true);
        // The submitter closes the store it asked for (for uploads); one made here is ours.
        this.ownsStore = awaitsResults && shared.created == null;
        if (awaitsResults) {
            this.store = shared.s3(config.submit(), listener);
            this.scheduler =
                    Executors.newSingleThreadScheduledExecutor(
                            new ExecutorThreadFactory("sagemaker-async-result-poller"));
            this.poller =
                    new ResultPoller(
                            store,
                            scheduler,
                            config.pollInitialDelay(),
                            config.pollMaxDelay(),
                            config.maxResultBytes(),
                            clock);
        } else {
            this.store = null;
            this.scheduler = null;
            this.poller = null;
        }
        this.records =
                config.submit().inputPrefix() == null
                        ? null
                        : new SubmissionRecords(
                                shared.s3(config.submit(), listener), config.submit());
    }

    static final String NEEDS_INPUT_PREFIX =
            "A row that gives its inference ID needs option '"
                    + SubmitOptions.S3_INPUT_PREFIX.key()
                    + "': the submission of each ID is recorded there, so that a replayed row is"
                    + " not invoked again";

    /** Runs for each row answered by an earlier submission of its ID, not invoked again. */
    void onReuse(Runnable counter) {
        this.onReuse = counter;
    }

    /** For SAGEMAKER_INVOKE_ASYNC and ML_PREDICT: submits and waits for the result. */
    static AsyncInferenceCaller awaiting(SqlInvokeConfig config, RetryListener listener) {
        return new AsyncInferenceCaller(
                config, SubmitClientFactory.SDK, listener, true, System::currentTimeMillis);
    }

    /** For SAGEMAKER_SUBMIT_ASYNC: submits only; no result reads, no poller thread. */
    static AsyncInferenceCaller submitting(SqlInvokeConfig config, RetryListener listener) {
        return new AsyncInferenceCaller(
                config, SubmitClientFactory.SDK, listener, false, System::currentTimeMillis);
    }

    /** Reads of a submission record that S3 refused with 403 (each row was submitted). */
    long deniedRecordReads() {
        return records == null ? 0 : records.deniedReads();
    }

    /** The deadline of a row that starts now. */
    long rowDeadline() {
        return clock.getAsLong() + config.rowTimeoutMillis();
    }

    long now() {
        return clock.getAsLong();
    }

    /** Submits and waits for the output or failure object, until {@code deadlineMillis}. */
    CompletableFuture<AwaitedResult> call(SerializedRequest request, long deadlineMillis) {
        return call(request, null, deadlineMillis);
    }

    /**
     * Like {@link #call(SerializedRequest, long)}, under {@code givenId} when not null: a row whose
     * ID has a {@linkplain SubmissionRecords record} waits for that submission's result instead of
     * invoking again.
     */
    CompletableFuture<AwaitedResult> call(
            SerializedRequest request, String givenId, long deadlineMillis) {
        return call(request, givenId != null, givenId, deadlineMillis);
    }

    /**
     * Like {@link #call(SerializedRequest, String, long)}; {@code idGiven} tells a NULL ID
     * (REJECTED) from none.
     */
    CompletableFuture<AwaitedResult> call(
            SerializedRequest request, boolean idGiven, String givenId, long deadlineMillis) {
        if (fatal != null) {
            return CompletableFuture.failedFuture(fatal);
        }
        if (!idGiven) {
            return remember(submitAndAwait(InferenceIds.generate(), request, null, deadlineMillis));
        }
        if (records == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(NEEDS_INPUT_PREFIX));
        }
        AwaitedResult refused = refuse(givenId);
        if (refused != null) {
            return CompletableFuture.completedFuture(refused);
        }
        String digest = records.digest(request);
        return released(
                givenId,
                remember(
                        records.find(givenId, clock.getAsLong())
                                .thenCompose(
                                        record -> {
                                            if (record == null) {
                                                return submitAndAwait(
                                                        givenId, request, digest, deadlineMillis);
                                            }
                                            if (!record.payloadSha256().equals(digest)) {
                                                return CompletableFuture.completedFuture(
                                                        usedForAnotherPayload(givenId, record));
                                            }
                                            onReuse.run();
                                            return record.outputLocation() == null
                                                    ? CompletableFuture.completedFuture(
                                                            outcomeUnknown(givenId))
                                                    : poller.await(
                                                            record.accepted(givenId),
                                                            deadlineMillis);
                                        })));
    }

    private CompletableFuture<AwaitedResult> submitAndAwait(
            String inferenceId, SerializedRequest request, String digest, long deadlineMillis) {
        long submitTime = clock.getAsLong();
        return submitter
                .submit(inferenceId, request, submitTime, deadlineMillis)
                .handle(
                        (submission, error) ->
                                error != null
                                        ? CompletableFuture.completedFuture(
                                                rejected(inferenceId, error))
                                        : submission.accepted().outputLocation() == null
                                                ? CompletableFuture.completedFuture(
                                                        outcomeUnknown(inferenceId))
                                                : recorded(
                                                                inferenceId,
                                                                digest,
                                                                submission,
                                                                submitTime)
                                                        .thenCompose(
                                                                ok ->
                                                                        poller.await(
                                                                                submission
                                                                                        .accepted(),
                                                                                deadlineMillis)))
                .thenCompose(future -> future);
    }

    /**
     * Submits only; the inference ID and locations come back in a {@link
     * InferenceSubmitter.Submission}, or the rejection that stopped it.
     */
    CompletableFuture<SubmitOutcome> submit(SerializedRequest request) {
        return submit(request, null);
    }

    /**
     * Like {@link #submit(SerializedRequest)}, under {@code givenId} when not null: a row whose ID
     * has a {@linkplain SubmissionRecords record} gets that submission back, not invoked again.
     */
    CompletableFuture<SubmitOutcome> submit(SerializedRequest request, String givenId) {
        return submit(request, givenId != null, givenId);
    }

    /**
     * Like {@link #submit(SerializedRequest, String)}; {@code idGiven} tells a NULL ID (REJECTED)
     * from none.
     */
    CompletableFuture<SubmitOutcome> submit(
            SerializedRequest request, boolean idGiven, String givenId) {
        if (fatal != null) {
            return CompletableFuture.failedFuture(fatal);
        }
        if (!idGiven) {
            return remember(submitOnly(InferenceIds.generate(), request, null));
        }
        if (records == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(NEEDS_INPUT_PREFIX));
        }
        AwaitedResult refused = refuse(givenId);
        if (refused != null) {
            return CompletableFuture.completedFuture(new SubmitOutcome(null, refused));
        }
        String digest = records.digest(request);
        return released(
                givenId,
                remember(
                        records.find(givenId, clock.getAsLong())
                                .thenCompose(
                                        record -> {
                                            if (record == null) {
                                                return submitOnly(givenId, request, digest);
                                            }
                                            if (!record.payloadSha256().equals(digest)) {
                                                return CompletableFuture.completedFuture(
                                                        new SubmitOutcome(
                                                                null,
                                                                usedForAnotherPayload(
                                                                        givenId, record)));
                                            }
                                            onReuse.run();
                                            return CompletableFuture.completedFuture(
                                                    new SubmitOutcome(
                                                            new InferenceSubmitter.Submission(
                                                                    record.accepted(givenId),
                                                                    submitter.pathFor(
                                                                            request.payload()
                                                                                    .length),
                                                                    null,
                                                                    true),
                                                            null));
                                        })));
    }

    private CompletableFuture<SubmitOutcome> submitOnly(
            String inferenceId, SerializedRequest request, String digest) {
        long now = clock.getAsLong();
        return submitter
                .submit(inferenceId, request, now, now + config.rowTimeoutMillis())
                .handle(
                        (submission, error) ->
                                error == null
                                        ? recorded(inferenceId, digest, submission, now)
                                                .thenApply(
                                                        ok -> new SubmitOutcome(submission, null))
                                        : CompletableFuture.completedFuture(
                                                new SubmitOutcome(
                                                        null, rejected(inferenceId, error))))
                .thenCompose(future -> future);
    }

    /**
     * Records a confirmed submission of a given ID before its row goes on, so that a row emitted
     * downstream has its record; nothing for a generated ID, or a request without an answer.
     */
    private CompletableFuture<Void> recorded(
            String inferenceId,
            String digest,
            InferenceSubmitter.Submission submission,
            long submitTime) {
        if (digest == null || !submission.confirmed()) {
            return CompletableFuture.completedFuture(null);
        }
        InvocationAccepted accepted = submission.accepted();
        return records.write(
                inferenceId,
                new SubmissionRecords.Record(
                        digest, accepted.outputLocation(), accepted.failureLocation(), submitTime));
    }

    /**
     * Why a given ID cannot be used, as a REJECTED row, or null: it must be one the service takes,
     * and not in use by another row of this instance (both would share an output location).
     * Otherwise the ID is now in use until {@link #released}.
     */
    private AwaitedResult refuse(String givenId) {
        String problem = InferenceIds.problem(givenId);
        if (problem != null) {
            return AwaitedResult.failed(
                    RowStatus.REJECTED,
                    givenId,
                    RejectionReason.INVALID_INFERENCE_ID + ": " + problem,
                    null);
        }
        if (!inUse.add(givenId)) {
            return AwaitedResult.failed(
                    RowStatus.REJECTED,
                    givenId,
                    RejectionReason.DUPLICATE_INFERENCE_ID
                            + ": another row in flight uses inference ID '"
                            + givenId
                            + "'; inference IDs must be unique per row",
                    null);
        }
        return null;
    }

    private <T> CompletableFuture<T> released(String givenId, CompletableFuture<T> row) {
        return row.whenComplete((done, error) -> inUse.remove(givenId));
    }

    private static AwaitedResult usedForAnotherPayload(
            String inferenceId, SubmissionRecords.Record record) {
        return AwaitedResult.failed(
                RowStatus.REJECTED,
                inferenceId,
                RejectionReason.DUPLICATE_INFERENCE_ID
                        + ": inference ID '"
                        + inferenceId
                        + "' was submitted at "
                        + Instant.ofEpochMilli(record.submitTimeMillis())
                        + " for another payload; inference IDs must be unique per row",
                null);
    }

    /** Fails with the fault itself, unwrapped, and keeps it for the rows to come. */
    private <T> CompletableFuture<T> remember(CompletableFuture<T> outcome) {
        CompletableFuture<T> result = new CompletableFuture<>();
        outcome.whenComplete(
                (value, error) -> {
                    if (error == null) {
                        result.complete(value);
                        return;
                    }
                    Throwable cause = InferenceSubmitter.unwrap(error);
                    if (cause instanceof FatalAwsException) {
                        fatal = (FatalAwsException) cause;
                    }
                    result.completeExceptionally(cause);
                });
        return result;
    }

    /** Completes after {@code delayMillis}, on the poller's thread. */
    CompletableFuture<Void> after(long delayMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        scheduler.schedule(() -> done.complete(null), delayMillis, TimeUnit.MILLISECONDS);
        return done;
    }

    @Override
    public void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        submitter.close();
        if (ownsStore) {
            store.close();
        }
    }

    /**
     * A rejection, or the fatal fault itself, thrown so that the future fails with it: it dooms
     * every row, and Flink must not restart into it.
     */
    private static AwaitedResult rejected(String inferenceId, Throwable error) {
        Throwable cause = InferenceSubmitter.unwrap(error);
        if (cause instanceof FatalAwsException) {
            throw (FatalAwsException) cause;
        }
        String reason =
                cause instanceof SubmissionRejectedException
                        ? ((SubmissionRejectedException) cause).reason() + ": "
                        : "";
        return AwaitedResult.failed(
                RowStatus.REJECTED, inferenceId, reason + cause.getMessage(), null);
    }

    /**
     * A request that went out without an answer, whose output location cannot be known: the service
     * may run it, but its result cannot be found, so the row times out now, saying why.
     */
    static AwaitedResult outcomeUnknown(String inferenceId) {
        return AwaitedResult.failed(
                RowStatus.TIMED_OUT,
                inferenceId,
                "The request went out but no answer came back, so its outcome and result location"
                        + " are unknown; the service may still run it",
                null);
    }

    /** Either an accepted submission or the rejection that stopped it. */
    record SubmitOutcome(InferenceSubmitter.Submission submission, AwaitedResult rejection) {}

    /** Keeps the S3 store the submitter asks for, so that result reads use the same client. */
    private static final class OneS3Store implements SubmitClientFactory {
        private static final long serialVersionUID = 1L;
        private final SubmitClientFactory clients;
        private transient S3ObjectStore created;

        OneS3Store(SubmitClientFactory clients) {
            this.clients = clients;
        }

        @Override
        public SageMakerRuntimeProxy sageMakerRuntime(SubmitConfig config, RetryListener listener) {
            return clients.sageMakerRuntime(config, listener);
        }

        @Override
        public S3ObjectStore s3(SubmitConfig config, RetryListener listener) {
            if (created == null) {
                created = clients.s3(config, listener);
            }
            return created;
        }
    }
}
