package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.watch.ResultObjectDeserializer;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * Each result object as one row of the {@code sagemaker-async-results} table: the declared physical
 * columns in order, then the requested metadata.
 */
@Internal
final class ResultRowDeserializer implements ResultObjectDeserializer<RowData> {
    private static final long serialVersionUID = 1L;

    private final List<ResultColumn> physical;
    private final boolean contentAsString;
    private final List<String> metadataKeys;
    private final TypeInformation<RowData> producedType;

    ResultRowDeserializer(
            List<ResultColumn> physical,
            boolean contentAsString,
            List<String> metadataKeys,
            TypeInformation<RowData> producedType) {
        this.physical = List.copyOf(physical);
        this.contentAsString = contentAsString;
        this.metadataKeys = List.copyOf(metadataKeys);
        this.producedType = producedType;
    }

    @Override
    public void deserialize(InferenceOutput object, Collector<RowData> out) {
        out.collect(row(null, object));
    }

    /** The row of a notification, which names its inference. */
    RowData row(TaggedOutput notified) {
        return row(notified.inferenceId(), notified.output());
    }

    private RowData row(String inferenceId, InferenceOutput object) {
        GenericRowData row = new GenericRowData(physical.size() + metadataKeys.size());
        int position = 0;
        for (ResultColumn column : physical) {
            row.setField(
                    position++,
                    column == ResultColumn.INFERENCE_ID
                            ? StringData.fromString(inferenceId)
                            : value(column, object));
        }
        for (String key : metadataKeys) {
            // The only metadata key; the table source rejects any other.
            row.setField(position++, TimestampData.fromEpochMillis(object.lastModifiedMillis()));
        }
        return row;
    }

    private Object value(ResultColumn column, InferenceOutput object) {
        switch (column) {
            case LOCATION:
                return StringData.fromString(object.location());
            case STATUS:
                return StringData.fromString(object.status().name());
            case CONTENT:
                if (object.content() == null) {
                    return null;
                }
                return contentAsString ? StringData.fromBytes(object.content()) : object.content();
            case CONTENT_TYPE:
                return object.contentType() == null
                        ? null
                        : StringData.fromString(object.contentType());
            default:
                return object.size();
        }
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
