package io.github.flinksagemaker.connector.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

import java.util.List;

/** Small questions about column types that the SQL surface asks in several places. */
@Internal
final class TableTypes {
    private TableTypes() {}

    static boolean isStringOrBytes(LogicalType type) {
        return type.is(LogicalTypeFamily.CHARACTER_STRING)
                || type.is(LogicalTypeFamily.BINARY_STRING);
    }

    static boolean isString(LogicalType type) {
        return type.is(LogicalTypeFamily.CHARACTER_STRING);
    }

    /** The error for a RAW format whose columns are not one STRING or BYTES column. */
    static IllegalArgumentException rawNeedsOneColumn(
            ConfigOption<?> option,
            String columns,
            String besides,
            List<String> names,
            List<LogicalType> types) {
        return new IllegalArgumentException(
                "Option '"
                        + option.key()
                        + "' = RAW needs exactly one "
                        + columns
                        + " column of type STRING or BYTES"
                        + besides
                        + ", the model has "
                        + describe(names, types));
    }

    static String describe(List<String> names, List<LogicalType> types) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(names.get(i)).append(' ').append(types.get(i).asSummaryString());
        }
        return text.append(')').toString();
    }
}
