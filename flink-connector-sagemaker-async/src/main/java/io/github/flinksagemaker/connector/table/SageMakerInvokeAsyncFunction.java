package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.annotation.PublicEvolving;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code SAGEMAKER_INVOKE_ASYNC(payload [, content_type [, inference_id]])}: submits the payload
 * (STRING or BYTES) to the configured endpoint, inline or through the S3 input prefix when large,
 * waits for the result at the returned locations and returns the model's output as the payload's
 * type. A NULL payload gives NULL without a call. A failed row (an empty payload included, which is
 * never sent) follows {@code sagemaker.invoke.error-handling}: NULL by default. With an {@code
 * inference_id} (unique per row), a row replayed after a failover waits for its first submission's
 * result instead of invoking again; this needs {@code sagemaker.s3.input-prefix}.
 *
 * <p>A row ends just before the planner's {@code table.exec.async-scalar.timeout} (or at {@code
 * sagemaker.result.timeout}, which must end before it), with NULL rather than a job failure. The
 * function holds a slot of the async operator for the whole inference, so it suits models of
 * seconds to minutes; for longer ones use the DataStream API or the decoupled SQL pattern ({@link
 * SageMakerSubmitAsyncFunction} and the {@code sagemaker-async-results} table).
 *
 * <pre>{@code
 * tEnv.createTemporarySystemFunction(
 *         "SAGEMAKER_INVOKE_ASYNC",
 *         new SageMakerInvokeAsyncFunction(Map.of(
 *                 "sagemaker.endpoint-name", "reviews-sentiment",
 *                 "aws.region", "eu-west-1",
 *                 "sagemaker.s3.input-prefix", "s3://my-bucket/inputs")));
 * }</pre>
 */
@PublicEvolving
public class SageMakerInvokeAsyncFunction extends SageMakerAsyncSqlFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SageMakerInvokeAsyncFunction.class);

    /** For {@code CREATE FUNCTION}: options come from {@code pipeline.global-job-parameters}. */
    public SageMakerInvokeAsyncFunction() {}

    /**
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    public SageMakerInvokeAsyncFunction(Map<String, String> options) {
        super(options, null);
    }

    private SageMakerInvokeAsyncFunction(Map<String, String> options, Duration plannerTimeout) {
        super(options, plannerTimeout);
    }

    @Override
    SageMakerAsyncSqlFunction forPlannerTimeout(
            Map<String, String> options, Duration plannerTimeout) {
        return new SageMakerInvokeAsyncFunction(options, plannerTimeout);
    }

    public void eval(CompletableFuture<String> result, String payload) {
        eval(result, payload, null);
    }

    public void eval(CompletableFuture<String> result, String payload, String contentType) {
        invoke(
                result,
                payload == null ? null : payload.getBytes(StandardCharsets.UTF_8),
                contentType,
                false,
                null,
                bytes -> new String(bytes, StandardCharsets.UTF_8),
                AwaitedResult::errorString);
    }

    public void eval(CompletableFuture<byte[]> result, byte[] payload) {
        eval(result, payload, null);
    }

    public void eval(CompletableFuture<byte[]> result, byte[] payload, String contentType) {
        invoke(
                result,
                payload,
                contentType,
                false,
                null,
                bytes -> bytes,
                failed -> failed.errorString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Submits under {@code inferenceId}, so that the row, replayed after a failover, waits for its
     * first submission's result instead of invoking again. A NULL or invalid ID gives a REJECTED
     * row.
     */
    public void eval(
            CompletableFuture<String> result,
            String payload,
            String contentType,
            String inferenceId) {
        invoke(
                result,
                payload == null ? null : payload.getBytes(StandardCharsets.UTF_8),
                contentType,
                true,
                inferenceId,
                bytes -> new String(bytes, StandardCharsets.UTF_8),
                AwaitedResult::errorString);
    }

    public void eval(
            CompletableFuture<byte[]> result,
            byte[] payload,
            String contentType,
            String inferenceId) {
        invoke(
                result,
                payload,
                contentType,
                true,
                inferenceId,
                bytes -> bytes,
                failed -> failed.errorString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    boolean awaitsResults() {
        return true;
    }

    private <T> void invoke(
            CompletableFuture<T> result,
            byte[] payload,
            String contentType,
            boolean idGiven,
            String inferenceId,
            Function<byte[], T> output,
            Function<AwaitedResult, T> errorValue) {
        if (payload == null) {
            metrics.nullInput();
            result.complete(null);
            return;
        }
        SerializedRequest request = SerializedRequest.of(payload).withContentType(contentType);
        caller.call(request, idGiven, inferenceId, caller.rowDeadline())
                .whenComplete(
                        (awaited, error) -> {
                            if (error != null) {
                                // Only faults that doom every row reach here: fail the job.
                                result.completeExceptionally(error);
                            } else if (awaited.isSuccess()) {
                                metrics.outcome(RowStatus.SUCCESS);
                                result.complete(output.apply(awaited.content()));
                            } else {
                                failed(result, awaited, errorValue, LOG);
                            }
                        });
    }
}
