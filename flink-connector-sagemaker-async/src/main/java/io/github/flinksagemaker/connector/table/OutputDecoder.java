package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions;
import io.github.flinksagemaker.connector.config.ModelOptions.OutputFormat;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a model's output into its OUTPUT row: JSON fields by column name, or the raw output in a
 * single STRING or BYTES column. The error metadata columns ({@code error-string}, {@code
 * error-status}, {@code inference-id}) are filled from the outcome, not from the output.
 */
@Internal
final class OutputDecoder implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> METADATA =
            Set.of(
                    ModelOptions.ERROR_STRING_COLUMN,
                    ModelOptions.ERROR_STATUS_COLUMN,
                    ModelOptions.INFERENCE_ID_COLUMN);

    private final List<String> names;
    private final List<LogicalType> types;
    private final boolean raw;
    private final boolean hasErrorColumns;

    OutputDecoder(OutputFormat format, List<String> names, List<LogicalType> types) {
        this.names = List.copyOf(names);
        this.types = List.copyOf(types);
        List<Integer> data = new ArrayList<>();
        boolean errorColumns = false;
        for (int i = 0; i < names.size(); i++) {
            if (METADATA.contains(names.get(i))) {
                if (!TableTypes.isString(types.get(i))) {
                    throw new IllegalArgumentException(
                            "OUTPUT column '" + names.get(i) + "' must be of type STRING");
                }
                errorColumns |= !names.get(i).equals(ModelOptions.INFERENCE_ID_COLUMN);
            } else {
                data.add(i);
            }
        }
        this.hasErrorColumns = errorColumns;
        boolean single = data.size() == 1 && TableTypes.isStringOrBytes(types.get(data.get(0)));
        if (format == OutputFormat.RAW && !single) {
            throw TableTypes.rawNeedsOneColumn(
                    ModelOptions.OUTPUT_FORMAT,
                    "OUTPUT",
                    " besides the error columns",
                    names,
                    types);
        }
        this.raw = format == OutputFormat.RAW || (format == OutputFormat.AUTO && single);
        if (!raw) {
            for (int i : data) {
                checkJsonType(names.get(i), types.get(i));
            }
        }
    }

    /** Whether IGNORE can report errors in the row, rather than dropping it. */
    boolean hasErrorColumns() {
        return hasErrorColumns;
    }

    /**
     * The row for a successful output.
     *
     * @throws IOException when the output is not the JSON object the columns need
     */
    RowData success(String inferenceId, byte[] output) throws IOException {
        GenericRowData row = new GenericRowData(names.size());
        JsonNode json = raw ? null : MAPPER.readTree(output);
        if (!raw && (json == null || !json.isObject())) {
            throw new IOException("The model output is not a JSON object");
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.equals(ModelOptions.INFERENCE_ID_COLUMN)) {
                row.setField(i, StringData.fromString(inferenceId));
            } else if (METADATA.contains(name)) {
                row.setField(i, null);
            } else if (raw) {
                row.setField(
                        i,
                        TableTypes.isString(types.get(i)) ? StringData.fromBytes(output) : output);
            } else {
                row.setField(i, value(json.get(name), types.get(i), name));
            }
        }
        return row;
    }

    /** The row for a failed inference: NULL outputs and the error columns. */
    RowData failure(String inferenceId, String status, String message) {
        GenericRowData row = new GenericRowData(names.size());
        for (int i = 0; i < names.size(); i++) {
            switch (names.get(i)) {
                case ModelOptions.ERROR_STRING_COLUMN:
                    row.setField(i, StringData.fromString(message));
                    break;
                case ModelOptions.ERROR_STATUS_COLUMN:
                    row.setField(i, StringData.fromString(status));
                    break;
                case ModelOptions.INFERENCE_ID_COLUMN:
                    row.setField(i, StringData.fromString(inferenceId));
                    break;
                default:
                    row.setField(i, null);
            }
        }
        return row;
    }

    private static void checkJsonType(String name, LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
            case DECIMAL:
            case BINARY:
            case VARBINARY:
                return;
            default:
                throw new IllegalArgumentException(
                        "OUTPUT column '"
                                + name
                                + "' has type "
                                + type.asSummaryString()
                                + ", which cannot be read from a JSON field; use STRING, BOOLEAN,"
                                + " an integer or floating point type, DECIMAL or BYTES (base64)");
        }
    }

    private static Object value(JsonNode node, LogicalType type, String name) throws IOException {
        if (node == null || node.isNull()) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return StringData.fromString(node.isTextual() ? node.textValue() : node.toString());
            case BOOLEAN:
                return node.asBoolean();
            case TINYINT:
                return (byte) node.asInt();
            case SMALLINT:
                return (short) node.asInt();
            case INTEGER:
                return node.asInt();
            case BIGINT:
                return node.asLong();
            case FLOAT:
                return (float) node.asDouble();
            case DOUBLE:
                return node.asDouble();
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                return DecimalData.fromBigDecimal(
                        node.decimalValue(), decimal.getPrecision(), decimal.getScale());
            default:
                if (!node.isTextual()) {
                    throw new IOException("Field '" + name + "' must be a base64 string");
                }
                return node.binaryValue();
        }
    }
}
