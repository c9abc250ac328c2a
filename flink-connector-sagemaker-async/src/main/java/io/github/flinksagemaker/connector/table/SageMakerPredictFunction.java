package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.retries.api.BackoffStrategy;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code ML_PREDICT} function of a {@code sagemaker-async} model: encodes the INPUT columns,
 * submits them, waits for the result and decodes it into the OUTPUT columns, all before the
 * planner's timeout. Every row gets exactly one row back unless the strategy fails the job: a row
 * whose INPUT columns are all NULL gets NULL outputs without a call; a failed row gets NULL outputs
 * and its error columns. Under RETRY only a MODEL_ERROR is submitted again, with backoff and only
 * while the row has time for another attempt: nothing else can change by retrying, and an accepted
 * inference is never submitted again because its result could not be read.
 */
@Internal
public final class SageMakerPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SageMakerPredictFunction.class);

    /** First wait before a resubmission; doubles, up to {@link #MAX_BACKOFF}. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);

    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * The SDK's backoff, with half jitter so that rows failed together are not resubmitted
     * together. Stateless (each row counts its own resubmissions) and safe on many threads.
     */
    private static final BackoffStrategy RESUBMIT_BACKOFF =
            BackoffStrategy.exponentialDelayHalfJitter(FIRST_BACKOFF, MAX_BACKOFF);

    private final ModelSpec spec;
    private final SqlInvokeConfig config;

    private transient AsyncInferenceCaller caller;
    private transient SqlFunctionMetrics metrics;
    private transient ProjectedRowData payloadColumns;

    SageMakerPredictFunction(ModelSpec spec, SqlInvokeConfig config) {
        this.spec = spec;
        this.config = config;
    }

    @Override
    public void open(FunctionContext context) {
        metrics = new SqlFunctionMetrics(context.getMetricGroup());
        caller = AsyncInferenceCaller.awaiting(config, metrics.retries());
        caller.onReuse(metrics::submissionReused);
        metrics.submissionRecordReadsDenied(caller::deniedRecordReads);
        payloadColumns = spec.payloadColumns();
    }

    @Override
    public void close() {
        if (caller != null) {
            caller.close();
        }
    }

    @Override
    public CompletableFuture<Collection<RowData>> asyncPredict(RowData input) {
        CompletableFuture<Collection<RowData>> result = new CompletableFuture<>();
        SerializedRequest request =
                spec.encoder()
                        .encode(payloadColumns == null ? input : payloadColumns.replaceRow(input));
        if (request == null) {
            metrics.nullInput();
            result.complete(List.of(spec.decoder().empty()));
            return result;
        }
        String inferenceId = null;
        if (spec.hasInferenceIdColumn()) {
            int column = spec.inferenceIdColumn();
            inferenceId = input.isNullAt(column) ? null : input.getString(column).toString();
        }
        attempt(request, inferenceId, caller.rowDeadline(), 0, result);
        return result;
    }

    /**
     * One submission of the row: the first under the row's ID column, if the model has one;
     * resubmissions after a model error under new IDs, as each is another inference.
     */
    private void attempt(
            SerializedRequest request,
            String inferenceId,
            long deadlineMillis,
            int resubmissions,
            CompletableFuture<Collection<RowData>> result) {
        long started = caller.now();
        caller.call(
                        request,
                        resubmissions == 0 && spec.hasInferenceIdColumn(),
                        inferenceId,
                        deadlineMillis)
                .whenComplete(
                        (awaited, error) -> {
                            if (error != null) {
                                // Only faults that doom every row reach here: fail the job.
                                result.completeExceptionally(error);
                                return;
                            }
                            AwaitedResult outcome = awaited;
                            if (awaited.isSuccess()) {
                                try {
                                    RowData row =
                                            spec.decoder()
                                                    .success(
                                                            awaited.inferenceId(),
                                                            awaited.content());
                                    metrics.outcome(RowStatus.SUCCESS);
                                    result.complete(List.of(row));
                                    return;
                                } catch (IOException | RuntimeException e) {
                                    outcome =
                                            AwaitedResult.failed(
                                                    RowStatus.INVALID_OUTPUT,
                                                    awaited.inferenceId(),
                                                    "The output at "
                                                            + awaited.location()
                                                            + " does not fit the OUTPUT columns: "
                                                            + e.getMessage(),
                                                    awaited.location());
                                }
                            }
                            long backoff = backoff(resubmissions);
                            if (outcome.status() == RowStatus.MODEL_ERROR
                                    && resubmissions < spec.resubmissions()
                                    && caller.now() + backoff + (caller.now() - started)
                                            < deadlineMillis) {
                                metrics.resubmitted();
                                caller.after(backoff)
                                        .thenRun(
                                                () ->
                                                        attempt(
                                                                request,
                                                                null,
                                                                deadlineMillis,
                                                                resubmissions + 1,
                                                                result));
                                return;
                            }
                            failed(outcome, result);
                        });
    }

    private void failed(AwaitedResult outcome, CompletableFuture<Collection<RowData>> result) {
        metrics.outcome(outcome.status());
        if (spec.failsOver()) {
            result.completeExceptionally(new SageMakerInferenceException(outcome));
            return;
        }
        LOG.warn(
                "Inference {} ended {}; the row gets NULL outputs{}",
                outcome.inferenceId(),
                outcome.status(),
                spec.decoder().hasErrorColumns() ? " and its error columns" : "");
        result.complete(
                List.of(
                        spec.decoder()
                                .failure(
                                        outcome.inferenceId(),
                                        outcome.status().name(),
                                        outcome.message())));
    }

    /** The wait before resubmission number {@code resubmissions + 1}, in milliseconds. */
    static long backoff(int resubmissions) {
        // The SDK numbers attempts: the first submission is attempt 1, resubmission n attempt n+1.
        return RESUBMIT_BACKOFF.computeDelay(Math.min(resubmissions, 16) + 2).toMillis();
    }
}
