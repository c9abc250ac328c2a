package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions;
import io.github.flinksagemaker.connector.config.ModelOptions.InputFormat;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Turns a model's INPUT row into a payload: a JSON object of the columns by name, one CSV line in
 * column order, or the raw bytes of a single STRING or BYTES column. A row whose INPUT columns are
 * all NULL has no payload.
 */
@Internal
final class PayloadEncoder implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final InputFormat format;
    private final List<String> names;
    private final List<LogicalType> types;
    private final RowData.FieldGetter[] getters;

    PayloadEncoder(InputFormat format, List<String> names, List<LogicalType> types) {
        this.format = format;
        this.names = List.copyOf(names);
        this.types = List.copyOf(types);
        if (format == InputFormat.RAW
                && (types.size() != 1 || !TableTypes.isStringOrBytes(types.get(0)))) {
            throw TableTypes.rawNeedsOneColumn(
                    ModelOptions.INPUT_FORMAT, "INPUT", "", names, types);
        }
        this.getters = new RowData.FieldGetter[types.size()];
        for (int i = 0; i < getters.length; i++) {
            getters[i] = RowData.createFieldGetter(types.get(i), i);
        }
    }

    /**
     * The payload for one row, its content type following the format; null when every INPUT column
     * is NULL: there is nothing to ask the model.
     */
    SerializedRequest encode(RowData row) {
        boolean allNull = true;
        for (RowData.FieldGetter getter : getters) {
            allNull &= getter.getFieldOrNull(row) == null;
        }
        if (allNull) {
            return null;
        }
        switch (format) {
            case RAW:
                Object value = getters[0].getFieldOrNull(row);
                byte[] bytes =
                        value instanceof StringData
                                ? ((StringData) value).toBytes()
                                : (byte[]) value;
                return SerializedRequest.of(bytes);
            case CSV:
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < getters.length; i++) {
                    if (i > 0) {
                        line.append(',');
                    }
                    Object field = getters[i].getFieldOrNull(row);
                    if (field != null) {
                        line.append(csv(text(field, types.get(i))));
                    }
                }
                return SerializedRequest.of(line.toString().getBytes(StandardCharsets.UTF_8))
                        .withContentType("text/csv");
            default:
                ObjectNode json = MAPPER.createObjectNode();
                for (int i = 0; i < getters.length; i++) {
                    putJson(json, names.get(i), getters[i].getFieldOrNull(row), types.get(i));
                }
                try {
                    return SerializedRequest.of(MAPPER.writeValueAsBytes(json))
                            .withContentType("application/json");
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot write a JSON object of scalars", e);
                }
        }
    }

    private static void putJson(ObjectNode json, String name, Object value, LogicalType type) {
        if (value == null) {
            json.putNull(name);
            return;
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                json.put(name, (Boolean) value);
                break;
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
                json.putPOJO(name, value);
                break;
            case DECIMAL:
                json.put(name, ((DecimalData) value).toBigDecimal());
                break;
            default:
                json.put(name, text(value, type));
        }
    }

    /** A value as text: strings as they are, bytes as base64, others by their SQL text. */
    private static String text(Object value, LogicalType type) {
        if (type.getTypeRoot() == LogicalTypeRoot.BINARY
                || type.getTypeRoot() == LogicalTypeRoot.VARBINARY) {
            return Base64.getEncoder().encodeToString((byte[]) value);
        }
        return value.toString();
    }

    /** RFC 4180: quote fields with a comma, quote or line break; double inner quotes. */
    private static String csv(String field) {
        if (field.indexOf(',') < 0
                && field.indexOf('"') < 0
                && field.indexOf('\n') < 0
                && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
