package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.table.SageMakerModelOptions.ErrorHandlingStrategy;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;

import java.util.Map;
import java.util.TreeMap;

/** A validated {@code sagemaker-async} model: creates its {@code ML_PREDICT} function. */
@Internal
final class SageMakerModelProvider implements AsyncPredictRuntimeProvider {
    private final Map<String, String> options;
    private final PayloadEncoder encoder;
    private final OutputDecoder decoder;
    private final ErrorHandlingStrategy strategy;
    private final int retries;
    private final ErrorHandlingStrategy fallback;

    SageMakerModelProvider(
            Map<String, String> options,
            PayloadEncoder encoder,
            OutputDecoder decoder,
            ErrorHandlingStrategy strategy,
            int retries,
            ErrorHandlingStrategy fallback) {
        this.options = new TreeMap<>(options);
        this.encoder = encoder;
        this.decoder = decoder;
        this.strategy = strategy;
        this.retries = retries;
        this.fallback = fallback;
    }

    @Override
    public AsyncPredictFunction createAsyncPredictFunction(Context context) {
        return new SageMakerPredictFunction(options, encoder, decoder, strategy, retries, fallback);
    }

    @Override
    public ModelProvider copy() {
        return new SageMakerModelProvider(options, encoder, decoder, strategy, retries, fallback);
    }
}
