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
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code SAGEMAKER_SUBMIT_ASYNC(payload [, content_type])}: submits the payload and returns at once
 * with {@code ROW<inference_id, output_location, failure_location, error>}, for models that take
 * minutes. Read the results with the {@code sagemaker-async-results} table and join them to these
 * rows on location (see docs/sql.md). A rejected submission follows {@code
 * sagemaker.invoke.error-handling}: FAIL fails the job, NULL returns NULL, ERROR_STRING returns a
 * row whose locations are NULL and whose {@code error} says why.
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
        super(options);
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
        if (payload == null) {
            result.complete(null);
            return;
        }
        caller.submit(SerializedRequest.of(payload).withContentType(contentType))
                .whenComplete(
                        (outcome, error) -> {
                            if (error != null) {
                                result.completeExceptionally(error);
                                return;
                            }
                            if (outcome.submission() != null) {
                                // Success here means accepted; the result comes via the table.
                                InvocationAccepted accepted = outcome.submission().accepted();
                                result.complete(
                                        Row.of(
                                                accepted.inferenceId(),
                                                accepted.outputLocation(),
                                                accepted.failureLocation(),
                                                null));
                                return;
                            }
                            AwaitedResult rejection = outcome.rejection();
                            metrics.outcome(rejection.status());
                            switch (config.errorHandling()) {
                                case FAIL:
                                    result.completeExceptionally(
                                            new SageMakerInferenceException(rejection));
                                    break;
                                case NULL:
                                    LOG.warn(
                                            "Inference {} was rejected; returning NULL",
                                            rejection.inferenceId());
                                    result.complete(null);
                                    break;
                                default:
                                    result.complete(
                                            Row.of(
                                                    rejection.inferenceId(),
                                                    null,
                                                    null,
                                                    rejection.errorString()));
                            }
                        });
    }
}
