package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.CompletionOptions.CompletionMode;
import io.github.flinksagemaker.connector.config.ConnectorOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code CREATE TABLE ... WITH ('connector' = 'sagemaker-async-results', ...)}: each result object
 * the endpoint writes under the watched prefixes as a row of {@code location}, {@code status},
 * {@code content}, {@code content_type} and {@code size} (declare any of them), plus the {@code
 * last-modified} metadata column for event time. With {@code 'sagemaker.completion.mode' = 'SQS'}
 * the rows come from the endpoint's notifications instead, and {@code inference_id} can be declared
 * too. Options: {@code sagemaker.output-path}, {@code sagemaker.failure-path}, the {@code
 * sagemaker.watch.*}, {@code sagemaker.completion.*} and {@code aws.*} ones; anything else is
 * rejected.
 */
@PublicEvolving
public final class SageMakerResultsTableFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "sagemaker-async-results";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(AwsConfigOptions.AWS_REGION);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options =
                ConnectorOptions.declaredIn(
                        AwsConfigOptions.class, WatchOptions.class, CompletionOptions.class);
        options.removeAll(requiredOptions());
        return options;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        Configuration options =
                Configuration.fromMap(
                        FactoryOptions.validated(
                                context.getCatalogTable().getOptions(),
                                FactoryUtil.CONNECTOR,
                                FactoryUtil.createTableFactoryHelper(this, context)));
        boolean sqs = OptionChecks.get(options, CompletionOptions.MODE) == CompletionMode.SQS;
        // A queue may carry several endpoints' notifications: the table shows them all. Whether
        // messages are deleted after checkpoints or on emission the readers decide at run time.
        SqsCompletionConfig notifications =
                sqs ? SqsCompletionConfig.from(options, Set.of()) : null;
        WatchConfig config = sqs ? null : WatchConfig.from(options);

        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<ResultColumn> physical = new ArrayList<>();
        boolean contentAsString = false;
        for (Column column : schema.getColumns()) {
            if (!column.isPhysical()) {
                continue;
            }
            ResultColumn resultColumn = ResultColumn.named(column.getName());
            if (resultColumn == ResultColumn.INFERENCE_ID && !sqs) {
                throw new IllegalArgumentException(
                        "Column 'inference_id' of a '"
                                + IDENTIFIER
                                + "' table needs '"
                                + CompletionOptions.MODE.key()
                                + "' = 'SQS': a listed object does not name its inference");
            }
            LogicalType type = column.getDataType().getLogicalType();
            if (!resultColumn.accepts(type)) {
                throw new IllegalArgumentException(
                        "Column '"
                                + column.getName()
                                + "' of a '"
                                + IDENTIFIER
                                + "' table must be "
                                + resultColumn.allowedType()
                                + ", not "
                                + type.asSummaryString());
            }
            if (resultColumn == ResultColumn.CONTENT) {
                contentAsString = TableTypes.isString(type);
            }
            physical.add(resultColumn);
        }
        return new SageMakerResultsTableSource(
                config, notifications, physical, contentAsString, context.getPhysicalRowDataType());
    }
}
