package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.functions.FunctionContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code ML_PREDICT} function of a {@code sagemaker-async} model: encodes the INPUT columns,
 * submits them, waits for the result and decodes it into the OUTPUT columns, applying the model's
 * error handling strategy to failed inferences.
 */
@Internal
public final class SageMakerPredictFunction extends AsyncPredictFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SageMakerPredictFunction.class);

    private final ModelSpec spec;

    private transient AsyncInferenceCaller caller;
    private transient SqlFunctionMetrics metrics;

    SageMakerPredictFunction(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public void open(FunctionContext context) {
        metrics = new SqlFunctionMetrics(context.getMetricGroup());
        caller = AsyncInferenceCaller.open(spec.config(), metrics.retries());
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
        attempt(input, spec.attempts(), result);
        return result;
    }

    private void attempt(
            RowData input, int retriesLeft, CompletableFuture<Collection<RowData>> result) {
        caller.call(spec.encoder().encode(input))
                .whenComplete(
                        (awaited, error) -> {
                            if (error != null) {
                                result.completeExceptionally(error);
                                return;
                            }
                            metrics.outcome(awaited.status());
                            String status = awaited.status().name();
                            String message = awaited.message();
                            if (awaited.isSuccess()) {
                                try {
                                    result.complete(
                                            List.of(
                                                    spec.decoder()
                                                            .success(
                                                                    awaited.inferenceId(),
                                                                    awaited.content())));
                                    return;
                                } catch (IOException | RuntimeException e) {
                                    status = "INVALID_OUTPUT";
                                    message =
                                            "The output does not fit the OUTPUT columns: "
                                                    + e.getMessage();
                                }
                            }
                            if (retriesLeft > 0) {
                                attempt(input, retriesLeft - 1, result);
                                return;
                            }
                            if (spec.failsOver()) {
                                result.completeExceptionally(
                                        new SageMakerInferenceException(
                                                new AwaitedResult(
                                                        awaited.status(),
                                                        awaited.inferenceId(),
                                                        null,
                                                        null,
                                                        message)));
                            } else if (spec.decoder().hasErrorColumns()) {
                                result.complete(
                                        List.of(
                                                spec.decoder()
                                                        .failure(
                                                                awaited.inferenceId(),
                                                                status,
                                                                message)));
                            } else {
                                LOG.warn(
                                        "Inference {} ended {}; the row is dropped"
                                                + " (error-handling-strategy IGNORE, no error"
                                                + " columns declared)",
                                        awaited.inferenceId(),
                                        status);
                                result.complete(List.of());
                            }
                        });
    }
}
