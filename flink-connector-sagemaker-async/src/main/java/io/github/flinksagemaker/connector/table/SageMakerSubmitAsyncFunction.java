package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.types.Row;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code SAGEMAKER_SUBMIT_ASYNC(payload [, content_type [, inference_id]])}: submits the payload
 * and returns at once with {@code ROW<inference_id, output_location, failure_location, error>}, for
 * models that take minutes. With an {@code inference_id} (unique per row, e.g. the row's key; a
 * NULL content type keeps the default), a row replayed after a failover returns the row of its
 * first submission instead of invoking again; this needs {@code sagemaker.s3.input-prefix}. Read
 * the results with the {@code sagemaker-async-results} table and join them to these rows on
 * location (see docs/sql.md). A rejected submission follows {@code
 * sagemaker.invoke.error-handling}: NULL (the default) returns NULL, ERROR_STRING returns a row
 * whose locations are NULL and whose {@code error} says why, FAIL fails the job. It reads no
 * results, so it has no S3 reader and no poller.
 */
@PublicEvolving
@FunctionHint(
        output =
                @DataTypeHint(
                        "ROW<inference_id STRING, output_location STRING,"
                                + " failure_location STRING, error STRING>"))
public class SageMakerSubmitAsyncFunction extends SageMakerAsyncSqlFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SageMakerSubmitAsyncFunction.class);

    /** For {@code CREATE FUNCTION}: options come from {@code pipeline.global-job-parameters}. */
    public SageMakerSubmitAsyncFunction() {}

    /**
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    public SageMakerSubmitAsyncFunction(Map<String, String> options) {
        super(options, null);
    }

    private SageMakerSubmitAsyncFunction(Map<String, String> options, Duration plannerTimeout) {
        super(options, plannerTimeout);
    }

    @Override
    SageMakerAsyncSqlFunction forPlannerTimeout(
            Map<String, String> options, Duration plannerTimeout) {
        return new SageMakerSubmitAsyncFunction(options, plannerTimeout);
    }

    public void eval(CompletableFuture<Row> result, String payload) {
        eval(result, payload, null);
    }

    public void eval(CompletableFuture<Row> result, String payload, String contentType) {
        eval(
                result,
                payload == null ? null : payload.getBytes(StandardCharsets.UTF_8),
                contentType);
    }

    public void eval(CompletableFuture<Row> result, byte[] payload) {
        eval(result, payload, null);
    }

    public void eval(CompletableFuture<Row> result, byte[] payload, String contentType) {
        submit(result, payload, contentType, false, null);
    }

    /**
     * Submits under {@code inferenceId}, so that the row, replayed after a failover, gets its first
     * submission back instead of a second invocation. A NULL or invalid ID gives a REJECTED row.
     */
    public void eval(
            CompletableFuture<Row> result, String payload, String contentType, String inferenceId) {
        submit(
                result,
                payload == null ? null : payload.getBytes(StandardCharsets.UTF_8),
                contentType,
                true,
                inferenceId);
    }

    public void eval(
            CompletableFuture<Row> result, byte[] payload, String contentType, String inferenceId) {
        submit(result, payload, contentType, true, inferenceId);
    }

    private void submit(
            CompletableFuture<Row> result,
            byte[] payload,
            String contentType,
            boolean idGiven,
            String inferenceId) {
        if (payload == null) {
            metrics.nullInput();
            result.complete(null);
            return;
        }
        caller.submit(
                        SerializedRequest.of(payload).withContentType(contentType),
                        idGiven,
                        inferenceId)
                .whenComplete(
                        (outcome, error) -> {
                            if (error != null) {
                                result.completeExceptionally(error);
                            } else if (outcome.submission() != null) {
                                // Accepted; the result comes through the results table.
                                metrics.submitted();
                                InvocationAccepted accepted = outcome.submission().accepted();
                                result.complete(
                                        Row.of(
                                                accepted.inferenceId(),
                                                accepted.outputLocation(),
                                                accepted.failureLocation(),
                                                outcome.submission().confirmed()
                                                        ? null
                                                        : "UNCONFIRMED: the request went out but"
                                                                + " no answer came back; the"
                                                                + " service may still run it"));
                            } else {
                                AwaitedResult rejection = outcome.rejection();
                                failed(
                                        result,
                                        rejection,
                                        failed ->
                                                Row.of(
                                                        failed.inferenceId(),
                                                        null,
                                                        null,
                                                        failed.errorString()),
                                        LOG);
                            }
                        });
    }

    @Override
    boolean awaitsResults() {
        return false;
    }
}
