package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.util.Arrays;
import java.util.Locale;

/** The physical columns the {@code sagemaker-async-results} table can declare. */
@Internal
enum ResultColumn {
    /** The inference the result belongs to; only in completion mode SQS, whose messages say. */
    INFERENCE_ID,
    /** The object's s3:// URI, equal to the OutputLocation or FailureLocation of its request. */
    LOCATION,
    /** SUCCESS (an output) or MODEL_ERROR (a failure object). */
    STATUS,
    /** The object's bytes, as STRING (UTF-8) or BYTES; NULL over the content limit. */
    CONTENT,
    CONTENT_TYPE,
    /** The object's size in bytes. */
    SIZE;

    String columnName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean accepts(LogicalType type) {
        switch (this) {
            case CONTENT:
                return TableTypes.isStringOrBytes(type);
            case SIZE:
                return type.getTypeRoot() == LogicalTypeRoot.BIGINT;
            default:
                return TableTypes.isString(type);
        }
    }

    String allowedType() {
        return this == CONTENT ? "STRING or BYTES" : this == SIZE ? "BIGINT" : "STRING";
    }

    static ResultColumn named(String name) {
        for (ResultColumn column : values()) {
            if (column.columnName().equals(name)) {
                return column;
            }
        }
        throw new IllegalArgumentException(
                "Unknown column '"
                        + name
                        + "' in a 'sagemaker-async-results' table: allowed are "
                        + Arrays.stream(values()).map(ResultColumn::columnName).toList()
                        + " and the metadata column 'last-modified' (TIMESTAMP_LTZ(3))");
    }
}
