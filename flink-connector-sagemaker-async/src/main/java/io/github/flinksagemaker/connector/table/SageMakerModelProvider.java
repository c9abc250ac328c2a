package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

/** A validated {@code sagemaker-async} model: creates its {@code ML_PREDICT} function. */
@Internal
final class SageMakerModelProvider implements AsyncPredictRuntimeProvider {
    private final ModelSpec spec;

    SageMakerModelProvider(ModelSpec spec) {
        this.spec = spec;
    }

    @Override
    public AsyncPredictFunction createAsyncPredictFunction(Context context) {
        return new SageMakerPredictFunction(spec);
    }

    @Override
    public ModelProvider copy() {
        return new SageMakerModelProvider(spec);
    }
}
