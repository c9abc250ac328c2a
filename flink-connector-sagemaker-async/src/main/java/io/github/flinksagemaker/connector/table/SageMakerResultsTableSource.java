package io.github.flinksagemaker.connector.table;

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

    private final WatchConfig config;
    private final List<ResultColumn> physical;
    private final boolean contentAsString;
    private List<String> metadataKeys = new ArrayList<>();
    private DataType producedType;

    SageMakerResultsTableSource(
            WatchConfig config,
            List<ResultColumn> physical,
            boolean contentAsString,
            DataType physicalType) {
        this.config = config;
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
                new SageMakerResultsTableSource(config, physical, contentAsString, producedType);
        copy.metadataKeys = new ArrayList<>(metadataKeys);
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "SageMaker async results";
    }
}
