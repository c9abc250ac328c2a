package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.ConnectorOptions;
import io.github.flinksagemaker.connector.config.ModelOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.SqlOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.types.logical.LogicalType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code CREATE MODEL ... WITH ('provider' = 'sagemaker-async', ...)}: a SageMaker async endpoint
 * for {@code ML_PREDICT}. Options are the DataStream submit options, the {@code aws.*} options, the
 * result polling options and {@link ModelOptions}; anything else is rejected.
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
        return Set.of(SubmitOptions.ENDPOINT_NAME, AwsConfigOptions.AWS_REGION);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options =
                ConnectorOptions.declaredIn(
                        AwsConfigOptions.class, SubmitOptions.class, ModelOptions.class);
        options.add(SqlOptions.POLL_INITIAL_DELAY);
        options.add(SqlOptions.POLL_MAX_DELAY);
        options.add(SqlOptions.MAX_RESULT_BYTES);
        options.add(SqlOptions.OPTIONS_FILE);
        options.remove(SubmitOptions.FAILURE_HANDLING);
        options.removeAll(requiredOptions());
        return options;
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        Map<String, String> options =
                OptionsFile.merge(
                        FactoryOptions.validated(
                                context.getCatalogModel().getOptions(),
                                FactoryUtil.PROVIDER,
                                FactoryUtil.createModelProviderFactoryHelper(this, context)),
                        context.getClassLoader());
        Configuration configuration = Configuration.fromMap(options);
        ResolvedSchema input = context.getCatalogModel().getResolvedInputSchema();
        ResolvedSchema output = context.getCatalogModel().getResolvedOutputSchema();
        Duration tableTimeout =
                context.getConfiguration()
                        .get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_TIMEOUT);
        List<String> payloadNames = new ArrayList<>(input.getColumnNames());
        List<LogicalType> payloadTypes = types(input);
        int idColumn = inferenceIdColumn(configuration, payloadNames, payloadTypes);
        if (idColumn >= 0) {
            payloadNames.remove(idColumn);
            payloadTypes.remove(idColumn);
        }
        ModelSpec spec =
                new ModelSpec(
                        options,
                        new PayloadEncoder(
                                OptionChecks.get(configuration, ModelOptions.INPUT_FORMAT),
                                payloadNames,
                                payloadTypes),
                        new OutputDecoder(
                                OptionChecks.get(configuration, ModelOptions.OUTPUT_FORMAT),
                                output.getColumnNames(),
                                types(output)),
                        OptionChecks.get(configuration, ModelOptions.ERROR_HANDLING_STRATEGY),
                        OptionChecks.atLeast(configuration, ModelOptions.RETRY_NUM, 0),
                        OptionChecks.get(configuration, ModelOptions.RETRY_FALLBACK_STRATEGY),
                        idColumn,
                        input.getColumnCount());
        // Every option is checked now; the timeouts once the planner creates the call's function,
        // since ML_PREDICT's config map may override the table's timeout.
        SqlInvokeConfig.validate(options, true);
        return new SageMakerModelProvider(spec, tableTimeout);
    }

    /**
     * The position of the INPUT column named by {@link ModelOptions#INFERENCE_ID_INPUT_COLUMN}, or
     * -1: a STRING column besides at least one payload column, with an input prefix to record its
     * submissions in.
     */
    private static int inferenceIdColumn(
            Configuration configuration, List<String> names, List<LogicalType> types) {
        String column = configuration.get(ModelOptions.INFERENCE_ID_INPUT_COLUMN);
        if (column == null) {
            return -1;
        }
        String key = ModelOptions.INFERENCE_ID_INPUT_COLUMN.key();
        int position = names.indexOf(column);
        if (position < 0) {
            throw new IllegalArgumentException(
                    "Option '"
                            + key
                            + "' = '"
                            + column
                            + "' names no INPUT column; the model has "
                            + TableTypes.describe(names, types));
        }
        if (!TableTypes.isString(types.get(position))) {
            throw new IllegalArgumentException(
                    "Option '"
                            + key
                            + "' names INPUT column '"
                            + column
                            + "' of type "
                            + types.get(position).asSummaryString()
                            + "; it must be STRING (CAST it in the query)");
        }
        if (names.size() < 2) {
            throw new IllegalArgumentException(
                    "Option '"
                            + key
                            + "' names the only INPUT column '"
                            + column
                            + "', which is sent as the InferenceId, not in the payload: declare"
                            + " the payload columns too");
        }
        if (!configuration.contains(SubmitOptions.S3_INPUT_PREFIX)) {
            throw new IllegalArgumentException(
                    "Option '"
                            + key
                            + "' needs option '"
                            + SubmitOptions.S3_INPUT_PREFIX.key()
                            + "': the submission of each ID is recorded there, so that a replayed"
                            + " row is not invoked again");
        }
        return position;
    }

    private static List<LogicalType> types(ResolvedSchema schema) {
        List<LogicalType> types = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            types.add(column.getDataType().getLogicalType());
        }
        return types;
    }
}
