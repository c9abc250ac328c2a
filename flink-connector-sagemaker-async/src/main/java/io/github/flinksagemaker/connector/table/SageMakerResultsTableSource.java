package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.notification.NotificationClientFactory;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsCompletionSource;
import io.github.flinksagemaker.connector.watch.SageMakerAsyncResultSource;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.types.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code sagemaker-async-results} table: the companion watch source as rows. */
@Internal
final class SageMakerResultsTableSource implements ScanTableSource, SupportsReadingMetadata {
    static final String LAST_MODIFIED = "last-modified";

    /** The watch source's configuration, or null in completion mode SQS. */
    private final WatchConfig config;

    /** The notification source's configuration, or null when completions are listed. */
    private final SqsCompletionConfig notifications;

    private final List<ResultColumn> physical;
    private final boolean contentAsString;
    private List<String> metadataKeys = new ArrayList<>();
    private DataType producedType;

    SageMakerResultsTableSource(
            WatchConfig config,
            SqsCompletionConfig notifications,
            List<ResultColumn> physical,
            boolean contentAsString,
            DataType physicalType) {
        this.config = config;
        this.notifications = notifications;
        this.physical = physical;
        this.contentAsString = contentAsString;
        this.producedType = physicalType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return ChangelogMode.insertOnly();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        ResultRowDeserializer deserializer =
                new ResultRowDeserializer(
                        physical,
                        contentAsString,
                        metadataKeys,
                        context.createTypeInformation(producedType));
        if (notifications != null) {
            return SourceProvider.of(
                    SqsCompletionSource.converted(
                            notifications,
                            NotificationClientFactory.SDK,
                            deserializer::row,
                            deserializer.getProducedType()));
        }
        return SourceProvider.of(SageMakerAsyncResultSource.create(config, deserializer));
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        Map<String, DataType> metadata = new LinkedHashMap<>();
        metadata.put(LAST_MODIFIED, DataTypes.TIMESTAMP_LTZ(3).notNull());
        return metadata;
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
        this.metadataKeys = new ArrayList<>(metadataKeys);
        this.producedType = producedDataType;
    }

    @Override
    public DynamicTableSource copy() {
        SageMakerResultsTableSource copy =
                new SageMakerResultsTableSource(
                        config, notifications, physical, contentAsString, producedType);
        copy.metadataKeys = new ArrayList<>(metadataKeys);
        return copy;
    }

    @Override
    public String asSummaryString() {
        return notifications != null
                ? "SageMaker async results (SQS notifications)"
                : "SageMaker async results";
    }
}
