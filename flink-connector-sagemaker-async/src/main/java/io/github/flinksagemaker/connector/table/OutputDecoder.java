package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions;
import io.github.flinksagemaker.connector.config.ModelOptions.OutputFormat;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a model's output into its OUTPUT row: JSON by column name or position, nested objects and
 * arrays into ROW, ARRAY and MAP columns (see {@link #success}), or the raw output in a single
 * STRING or BYTES column. The error metadata columns ({@code error-string}, {@code error-status},
 * {@code inference-id}) are filled from the outcome, not from the output.
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
    private final int dataColumns;
    private final boolean onlyDataColumnIsArray;

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
        this.dataColumns = data.size();
        this.onlyDataColumnIsArray =
                data.size() == 1 && types.get(data.get(0)).getTypeRoot() == LogicalTypeRoot.ARRAY;
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
                checkJsonType(names.get(i), types.get(i), types.get(i));
            }
        }
    }

    /** Whether IGNORE can report errors in the row, rather than dropping it. */
    boolean hasErrorColumns() {
        return hasErrorColumns;
    }

    /**
     * The row for a successful output: a JSON object fills the data columns by field name; a
     * top-level array fills them by position (element i the i-th data column), unless the only data
     * column is an ARRAY, which takes the whole array; any other JSON value fills the only data
     * column. Missing fields and elements are NULL; extra ones are ignored.
     *
     * @throws IOException when the output is not JSON the columns can take, naming the column and
     *     the path of the value
     */
    RowData success(String inferenceId, byte[] output) throws IOException {
        GenericRowData row = new GenericRowData(names.size());
        JsonNode json = raw ? null : MAPPER.readTree(output);
        if (!raw && (json == null || json.isMissingNode())) {
            throw new IOException("The model output is empty, not JSON");
        }
        boolean wholeValueToOnlyColumn =
                !raw
                        && dataColumns == 1
                        && !json.isObject()
                        && (!json.isArray() || onlyDataColumnIsArray);
        if (!raw && !json.isObject() && !json.isArray() && !wholeValueToOnlyColumn) {
            throw new IOException(
                    "The model output is a JSON "
                            + json.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                            + ", not an object or array, and the model has "
                            + dataColumns
                            + " data OUTPUT columns: a single value fills only a single column");
        }
        int position = 0;
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
            } else if (wholeValueToOnlyColumn) {
                row.setField(i, value(json, types.get(i), "$", name));
            } else if (json.isArray()) {
                String path = "$[" + position + "]";
                row.setField(i, value(json.get(position++), types.get(i), path, name));
            } else {
                row.setField(i, value(json.get(name), types.get(i), name, name));
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

    /** Refuses a column whose type, or a type nested in it, JSON cannot fill. */
    private static void checkJsonType(String name, LogicalType columnType, LogicalType type) {
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
            case ROW:
            case ARRAY:
                for (LogicalType child : type.getChildren()) {
                    checkJsonType(name, columnType, child);
                }
                return;
            case MAP:
                MapType map = (MapType) type;
                if (TableTypes.isString(map.getKeyType())) {
                    checkJsonType(name, columnType, map.getValueType());
                    return;
                }
                break;
            default:
                break;
        }
        throw new IllegalArgumentException(
                "OUTPUT column '"
                        + name
                        + "' has type "
                        + columnType.asSummaryString()
                        + (columnType == type ? "" : ", whose " + type.asSummaryString())
                        + " cannot be read from JSON; use STRING, BOOLEAN, an integer or floating"
                        + " point type, DECIMAL, BYTES (base64), or ROW, ARRAY and MAP<STRING, ...>"
                        + " of these");
    }

    /**
     * A JSON field as its column's type, strictly: a value that does not fit (text in a number
     * column, 300 in a TINYINT, "yes" in a BOOLEAN, too many digits for a DECIMAL) is an error,
     * never a different value.
     */
    private static Object value(JsonNode node, LogicalType type, String path, String column)
            throws IOException {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            switch (type.getTypeRoot()) {
                case ROW:
                    return row(node, (RowType) type, path, column);
                case ARRAY:
                    if (!node.isArray()) {
                        throw misfit(node, type, path, column);
                    }
                    LogicalType elementType = ((ArrayType) type).getElementType();
                    Object[] elements = newArray(elementType, node.size());
                    for (int i = 0; i < elements.length; i++) {
                        elements[i] = value(node.get(i), elementType, path + "[" + i + "]", column);
                    }
                    return new GenericArrayData(elements);
                case MAP:
                    if (!node.isObject()) {
                        throw misfit(node, type, path, column);
                    }
                    LogicalType valueType = ((MapType) type).getValueType();
                    Map<StringData, Object> entries = new LinkedHashMap<>();
                    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
                    while (fields.hasNext()) {
                        Map.Entry<String, JsonNode> field = fields.next();
                        entries.put(
                                StringData.fromString(field.getKey()),
                                value(
                                        field.getValue(),
                                        valueType,
                                        path + "." + field.getKey(),
                                        column));
                    }
                    return new GenericMapData(entries);
                case CHAR:
                case VARCHAR:
                    return StringData.fromString(
                            node.isTextual() ? node.textValue() : node.toString());
                case BOOLEAN:
                    if (!node.isBoolean()) {
                        throw misfit(node, type, path, column);
                    }
                    return node.booleanValue();
                case TINYINT:
                    return integral(node, type, path, column).byteValueExact();
                case SMALLINT:
                    return integral(node, type, path, column).shortValueExact();
                case INTEGER:
                    return integral(node, type, path, column).intValueExact();
                case BIGINT:
                    return integral(node, type, path, column).longValueExact();
                case FLOAT:
                    float single = (float) number(node, type, path, column).doubleValue();
                    if (Float.isInfinite(single)) {
                        throw misfit(node, type, path, column);
                    }
                    return single;
                case DOUBLE:
                    double value = number(node, type, path, column).doubleValue();
                    if (Double.isInfinite(value)) {
                        throw misfit(node, type, path, column);
                    }
                    return value;
                case DECIMAL:
                    DecimalType decimal = (DecimalType) type;
                    DecimalData fitted =
                            DecimalData.fromBigDecimal(
                                    number(node, type, path, column).decimalValue(),
                                    decimal.getPrecision(),
                                    decimal.getScale());
                    if (fitted == null) {
                        throw misfit(node, type, path, column);
                    }
                    return fitted;
                default:
                    if (!node.isTextual()) {
                        throw new IOException(
                                "Field '"
                                        + path
                                        + "'"
                                        + ofColumn(path, column)
                                        + " must be a base64 string");
                    }
                    return node.binaryValue();
            }
        } catch (ArithmeticException e) {
            throw misfit(node, type, path, column);
        }
    }

    private static JsonNode number(JsonNode node, LogicalType type, String name, String column)
            throws IOException {
        if (!node.isNumber()) {
            throw misfit(node, type, name, column);
        }
        return node;
    }

    /** A JSON number without a fraction (3 or 3.0), exactly. */
    private static java.math.BigInteger integral(
            JsonNode node, LogicalType type, String name, String column) throws IOException {
        try {
            return number(node, type, name, column).decimalValue().toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw misfit(node, type, name, column);
        }
    }

    /**
     * An array of the boxed class of {@code elementType}'s values: GenericArrayData casts to it (a
     * Double[] for {@code toDoubleArray()}), so an Object[] would fail when read.
     */
    private static Object[] newArray(LogicalType elementType, int size) {
        switch (elementType.getTypeRoot()) {
            case BOOLEAN:
                return new Boolean[size];
            case TINYINT:
                return new Byte[size];
            case SMALLINT:
                return new Short[size];
            case INTEGER:
                return new Integer[size];
            case BIGINT:
                return new Long[size];
            case FLOAT:
                return new Float[size];
            case DOUBLE:
                return new Double[size];
            default:
                return new Object[size];
        }
    }

    /**
     * A ROW from a JSON object (fields by name) or a JSON array (fields by position); missing ones
     * are NULL.
     */
    private static GenericRowData row(JsonNode node, RowType type, String path, String column)
            throws IOException {
        if (!node.isObject() && !node.isArray()) {
            throw misfit(node, type, path, column);
        }
        List<RowType.RowField> fields = type.getFields();
        GenericRowData row = new GenericRowData(fields.size());
        for (int i = 0; i < fields.size(); i++) {
            RowType.RowField field = fields.get(i);
            JsonNode child = node.isObject() ? node.get(field.getName()) : node.get(i);
            String childPath =
                    node.isObject() ? path + "." + field.getName() : path + "[" + i + "]";
            row.setField(i, value(child, field.getType(), childPath, column));
        }
        return row;
    }

    /**
     * Names the field's path, the type it should have, a short excerpt of the value and, for a
     * nested value, its OUTPUT column.
     */
    private static IOException misfit(JsonNode node, LogicalType type, String path, String column) {
        String value = node.toString();
        if (value.length() > 40) {
            value = value.substring(0, 40) + "...";
        }
        return new IOException(
                "Field '"
                        + path
                        + "' = "
                        + value
                        + " does not fit column type "
                        + type.asSummaryString()
                        + ofColumn(path, column));
    }

    private static String ofColumn(String path, String column) {
        return path.equals(column) ? "" : " (OUTPUT column '" + column + "')";
    }
}
