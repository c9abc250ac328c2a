package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.MLPredictRuntimeConfigOptions;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

import java.time.Duration;
import java.util.Optional;

/**
 * A validated {@code sagemaker-async} model: creates its {@code ML_PREDICT} function, whose rows
 * end before the planner's timeout for that call ({@code 'timeout'} in ML_PREDICT's config map, or
 * {@code table.exec.async-ml-predict.timeout}); an inconsistent {@code sagemaker.result.timeout}
 * fails the planning, naming both.
 */
@Internal
final class SageMakerModelProvider implements AsyncPredictRuntimeProvider {
    private final ModelSpec spec;
    private final Duration tableTimeout;

    SageMakerModelProvider(ModelSpec spec, Duration tableTimeout) {
        this.spec = spec;
        this.tableTimeout = tableTimeout;
    }

    @Override
    public AsyncPredictFunction createAsyncPredictFunction(Context context) {
        Optional<Duration> perCall =
                context.runtimeConfig().getOptional(MLPredictRuntimeConfigOptions.ASYNC_TIMEOUT);
        SqlInvokeConfig config =
                perCall.isPresent()
                        ? spec.config(
                                perCall.get(),
                                "'"
                                        + MLPredictRuntimeConfigOptions.ASYNC_TIMEOUT.key()
                                        + "' in ML_PREDICT's config map")
                        : spec.config(
                                tableTimeout,
                                "'"
                                        + ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_TIMEOUT
                                                .key()
                                        + "'; 'timeout' in ML_PREDICT's config map overrides it");
        return new SageMakerPredictFunction(spec, config);
    }

    @Override
    public ModelProvider copy() {
        return new SageMakerModelProvider(spec, tableTimeout);
    }
}
