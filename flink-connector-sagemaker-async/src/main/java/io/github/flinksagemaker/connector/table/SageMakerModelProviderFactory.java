package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.common.ConnectorOptionKeys;
import io.github.flinksagemaker.connector.submit.SageMakerAsyncOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.types.logical.LogicalType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code CREATE MODEL ... WITH ('provider' = 'sagemaker-async', ...)}: a SageMaker async endpoint
 * for {@code ML_PREDICT}. Options are the DataStream submit options, the {@code aws.*} options, the
 * result polling options and {@link SageMakerModelOptions}; anything else is rejected.
 */
@PublicEvolving
public final class SageMakerModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "sagemaker-async";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(SageMakerAsyncOptions.ENDPOINT_NAME, AwsConfigOptions.AWS_REGION);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options =
                ConnectorOptionKeys.declaredOptions(
                        AwsConfigOptions.class,
                        SageMakerAsyncOptions.class,
                        SageMakerModelOptions.class);
        options.add(SageMakerSqlOptions.POLL_INITIAL_DELAY);
        options.add(SageMakerSqlOptions.POLL_MAX_DELAY);
        options.remove(SageMakerAsyncOptions.FAILURE_HANDLING);
        options.removeAll(requiredOptions());
        return options;
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        Map<String, String> options =
                FactoryOptions.validated(
                        context.getCatalogModel().getOptions(),
                        FactoryUtil.PROVIDER,
                        FactoryUtil.createModelProviderFactoryHelper(this, context));
        Configuration configuration = Configuration.fromMap(options);
        SqlInvokeConfig.from(options);

        ResolvedSchema input = context.getCatalogModel().getResolvedInputSchema();
        ResolvedSchema output = context.getCatalogModel().getResolvedOutputSchema();
        PayloadEncoder encoder =
                new PayloadEncoder(
                        SqlInvokeConfig.enumValue(
                                configuration, SageMakerModelOptions.INPUT_FORMAT),
                        input.getColumnNames(),
                        types(input));
        OutputDecoder decoder =
                new OutputDecoder(
                        SqlInvokeConfig.enumValue(
                                configuration, SageMakerModelOptions.OUTPUT_FORMAT),
                        output.getColumnNames(),
                        types(output));
        int retries = SqlInvokeConfig.parsed(configuration, SageMakerModelOptions.RETRY_NUM);
        if (retries < 0) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + retries
                            + "' for option '"
                            + SageMakerModelOptions.RETRY_NUM.key()
                            + "': allowed are 0 or more");
        }
        SageMakerModelOptions.ErrorHandlingStrategy fallback =
                SqlInvokeConfig.enumValue(
                        configuration, SageMakerModelOptions.RETRY_FALLBACK_STRATEGY);
        if (fallback == SageMakerModelOptions.ErrorHandlingStrategy.RETRY) {
            throw new IllegalArgumentException(
                    "Invalid value 'RETRY' for option '"
                            + SageMakerModelOptions.RETRY_FALLBACK_STRATEGY.key()
                            + "': allowed are [FAILOVER, IGNORE]");
        }
        return new SageMakerModelProvider(
                new ModelSpec(
                        options,
                        encoder,
                        decoder,
                        SqlInvokeConfig.enumValue(
                                configuration, SageMakerModelOptions.ERROR_HANDLING_STRATEGY),
                        retries,
                        fallback));
    }

    private static List<LogicalType> types(ResolvedSchema schema) {
        List<LogicalType> types = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            types.add(column.getDataType().getLogicalType());
        }
        return types;
    }
}
