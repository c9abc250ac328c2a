package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions;
import io.github.flinksagemaker.connector.config.ModelOptions.OutputFormat;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
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

    /** Numbers keep every digit: a double would change a DECIMAL or a large BIGINT silently. */
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

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

    /** The row for an input that was not sent (all NULL): every column NULL. */
    RowData empty() {
        return new GenericRowData(names.size());
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

    /**
     * A JSON field as its column's type, strictly: a value that does not fit (text in a number
     * column, 300 in a TINYINT, "yes" in a BOOLEAN, too many digits for a DECIMAL) is an error,
     * never a different value.
     */
    private static Object value(JsonNode node, LogicalType type, String name) throws IOException {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            switch (type.getTypeRoot()) {
                case CHAR:
                case VARCHAR:
                    return StringData.fromString(
                            node.isTextual() ? node.textValue() : node.toString());
                case BOOLEAN:
                    if (!node.isBoolean()) {
                        throw misfit(node, type, name);
                    }
                    return node.booleanValue();
                case TINYINT:
                    return integral(node, type, name).byteValueExact();
                case SMALLINT:
                    return integral(node, type, name).shortValueExact();
                case INTEGER:
                    return integral(node, type, name).intValueExact();
                case BIGINT:
                    return integral(node, type, name).longValueExact();
                case FLOAT:
                    float single = (float) number(node, type, name).doubleValue();
                    if (Float.isInfinite(single)) {
                        throw misfit(node, type, name);
                    }
                    return single;
                case DOUBLE:
                    double value = number(node, type, name).doubleValue();
                    if (Double.isInfinite(value)) {
                        throw misfit(node, type, name);
                    }
                    return value;
                case DECIMAL:
                    DecimalType decimal = (DecimalType) type;
                    DecimalData fitted =
                            DecimalData.fromBigDecimal(
                                    number(node, type, name).decimalValue(),
                                    decimal.getPrecision(),
                                    decimal.getScale());
                    if (fitted == null) {
                        throw misfit(node, type, name);
                    }
                    return fitted;
                default:
                    if (!node.isTextual()) {
                        throw new IOException("Field '" + name + "' must be a base64 string");
                    }
                    return node.binaryValue();
            }
        } catch (ArithmeticException e) {
            throw misfit(node, type, name);
        }
    }

    private static JsonNode number(JsonNode node, LogicalType type, String name)
            throws IOException {
        if (!node.isNumber()) {
            throw misfit(node, type, name);
        }
        return node;
    }

    /** A JSON number without a fraction (3 or 3.0), exactly. */
    private static java.math.BigInteger integral(JsonNode node, LogicalType type, String name)
            throws IOException {
        try {
            return number(node, type, name).decimalValue().toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw misfit(node, type, name);
        }
    }

    /** Names the field, the column type and a short excerpt of the value. */
    private static IOException misfit(JsonNode node, LogicalType type, String name) {
        String value = node.toString();
        if (value.length() > 40) {
            value = value.substring(0, 40) + "...";
        }
        return new IOException(
                "Field '"
                        + name
                        + "' = "
                        + value
                        + " does not fit column type "
                        + type.asSummaryString());
    }
}
