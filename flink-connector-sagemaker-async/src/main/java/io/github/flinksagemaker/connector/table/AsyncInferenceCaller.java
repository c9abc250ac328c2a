package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.aws.RetryListener;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.SdkS3ObjectStore;
import io.github.flinksagemaker.connector.submit.InferenceIds;
import io.github.flinksagemaker.connector.submit.InferenceSubmitter;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmissionRejectedException;
import io.github.flinksagemaker.connector.submit.SubmitClientFactory;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Submits a payload and, for the functions that return the model's output, waits for its result:
 * what the SQL surface needs from the connector, once per function instance. Every outcome of a row
 * is an {@link AwaitedResult}; a fault that dooms every row ({@link FatalAwsException}: wrong
 * credentials, a missing permission, endpoint or bucket) and an S3 read that fails after the SDK's
 * retries fail the future instead.
 */
@Internal
final class AsyncInferenceCaller implements AutoCloseable {
    private final SqlInvokeConfig config;
    private final InferenceSubmitter submitter;
    private final S3ObjectStore resultStore;
    private final ScheduledExecutorService scheduler;
    private final ResultPoller poller;

    private AsyncInferenceCaller(SqlInvokeConfig config, RetryListener listener) {
        this.config = config;
        this.submitter =
                InferenceSubmitter.open(config.submit(), SubmitClientFactory.SDK, listener);
        this.resultStore =
                new SdkS3ObjectStore(
                        AwsClients.s3(
                                config.submit().configuration(),
                                config.submit().capacity(),
                                override -> {}),
                        null,
                        null);
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        new ExecutorThreadFactory("sagemaker-async-result-poller"));
        this.poller =
                new ResultPoller(
                        resultStore,
                        scheduler,
                        config.pollInitialDelay(),
                        config.pollMaxDelay(),
                        System::currentTimeMillis);
    }

    static AsyncInferenceCaller open(SqlInvokeConfig config, RetryListener listener) {
        return new AsyncInferenceCaller(config, listener);
    }

    /** Submits and waits for the output or failure object, until the result deadline. */
    CompletableFuture<AwaitedResult> call(SerializedRequest request) {
        String inferenceId = InferenceIds.generate();
        long submitTime = System.currentTimeMillis();
        return submitter
                .submit(inferenceId, request, submitTime)
                .handle(
                        (submission, error) -> {
                            if (error != null) {
                                return fatal(error) != null
                                        ? CompletableFuture.<AwaitedResult>failedFuture(
                                                fatal(error))
                                        : CompletableFuture.completedFuture(
                                                rejected(inferenceId, error));
                            }
                            return poller.await(
                                    submission.accepted(),
                                    submitTime + config.submit().resultWindowMillis());
                        })
                .thenCompose(future -> future);
    }

    /**
     * Submits only; the result's {@code content} is null and a success means accepted. The
     * inference ID and locations come back in a {@link InferenceSubmitter.Submission}.
     */
    CompletableFuture<SubmitOutcome> submit(SerializedRequest request) {
        String inferenceId = InferenceIds.generate();
        return submitter
                .submit(inferenceId, request, System.currentTimeMillis())
                .handle(
                        (submission, error) -> {
                            if (error == null) {
                                return new SubmitOutcome(submission, null);
                            }
                            if (fatal(error) != null) {
                                throw fatal(error);
                            }
                            return new SubmitOutcome(null, rejected(inferenceId, error));
                        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        submitter.close();
        resultStore.close();
    }

    /** The fault that dooms every row (credentials, permissions, names), or null. */
    private static FatalAwsException fatal(Throwable error) {
        Throwable cause = InferenceSubmitter.unwrap(error);
        return cause instanceof FatalAwsException ? (FatalAwsException) cause : null;
    }

    private static AwaitedResult rejected(String inferenceId, Throwable error) {
        Throwable cause = InferenceSubmitter.unwrap(error);
        String reason =
                cause instanceof SubmissionRejectedException
                        ? ((SubmissionRejectedException) cause).reason() + ": "
                        : "";
        return new AwaitedResult(
                InferenceStatus.REJECTED, inferenceId, null, null, reason + cause.getMessage());
    }

    /** Either an accepted submission or the rejection that stopped it. */
    record SubmitOutcome(InferenceSubmitter.Submission submission, AwaitedResult rejection) {}
}
