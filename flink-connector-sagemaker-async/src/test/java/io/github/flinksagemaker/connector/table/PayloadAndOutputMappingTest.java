package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions.InputFormat;
import io.github.flinksagemaker.connector.config.ModelOptions.OutputFormat;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.MapData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How ML_PREDICT INPUT rows become payloads and outputs become OUTPUT rows. */
class PayloadAndOutputMappingTest {
    private static final LogicalType STRING = VarCharType.STRING_TYPE;
    private static final LogicalType BYTES = new VarBinaryType(VarBinaryType.MAX_LENGTH);

    private static String text(SerializedRequest request) {
        return new String(request.payload(), StandardCharsets.UTF_8);
    }

    private static RowData input() {
        return GenericRowData.of(
                StringData.fromString("say \"hi\", then go"),
                7,
                DecimalData.fromBigDecimal(new BigDecimal("12.50"), 5, 2),
                null,
                new byte[] {1, 2, 3});
    }

    private static final List<String> INPUT_NAMES = List.of("text", "n", "price", "flag", "data");
    private static final List<LogicalType> INPUT_TYPES =
            List.of(STRING, new IntType(), new DecimalType(5, 2), new BooleanType(), BYTES);

    @Test
    void jsonIsAnObjectOfTheColumnsByName() {
        SerializedRequest request =
                new PayloadEncoder(InputFormat.JSON, INPUT_NAMES, INPUT_TYPES).encode(input());

        assertThat(text(request))
                .isEqualTo(
                        "{\"text\":\"say \\\"hi\\\", then go\",\"n\":7,\"price\":12.50,"
                                + "\"flag\":null,\"data\":\"AQID\"}");
        assertThat(request.contentType()).isEqualTo("application/json");
    }

    @Test
    void csvIsOneLineInColumnOrderQuotedWhereNeeded() {
        SerializedRequest request =
                new PayloadEncoder(InputFormat.CSV, INPUT_NAMES, INPUT_TYPES).encode(input());

        assertThat(text(request)).isEqualTo("\"say \"\"hi\"\", then go\",7,12.50,,AQID");
        assertThat(request.contentType()).isEqualTo("text/csv");
    }

    @Test
    void rawSendsTheSingleColumnAsItIs() {
        SerializedRequest request =
                new PayloadEncoder(InputFormat.RAW, List.of("body"), List.of(STRING))
                        .encode(GenericRowData.of(StringData.fromString("{\"a\":1}")));

        assertThat(text(request)).isEqualTo("{\"a\":1}");
        assertThat(request.contentType()).isNull();
        assertThatThrownBy(() -> new PayloadEncoder(InputFormat.RAW, INPUT_NAMES, INPUT_TYPES))
                .hasMessageContaining("'input-format' = RAW needs exactly one INPUT column")
                .hasMessageContaining("(text STRING, n INT");
    }

    @Test
    void jsonOutputFillsColumnsByNameAndTheInferenceId() throws Exception {
        OutputDecoder decoder =
                new OutputDecoder(
                        OutputFormat.AUTO,
                        List.of("label", "score", "missing", "inference-id"),
                        List.of(STRING, new DoubleType(), new IntType(), STRING));

        RowData row =
                decoder.success(
                        "id-1",
                        "{\"label\":\"POSITIVE\",\"score\":0.75}".getBytes(StandardCharsets.UTF_8));

        assertThat(row.getString(0).toString()).isEqualTo("POSITIVE");
        assertThat(row.getDouble(1)).isEqualTo(0.75);
        assertThat(row.isNullAt(2)).isTrue();
        assertThat(row.getString(3).toString()).isEqualTo("id-1");
        assertThat(decoder.hasErrorColumns()).isFalse();
        assertThatThrownBy(() -> decoder.success("id-2", "0.5".getBytes(StandardCharsets.UTF_8)))
                .hasMessage(
                        "The model output is a JSON number, not an object or array, and the model"
                                + " has 3 data OUTPUT columns: a single value fills only a single"
                                + " column");
    }

    private static final LogicalType DOUBLE = new DoubleType();
    private static final RowType PREDICTION =
            RowType.of(new LogicalType[] {STRING, DOUBLE}, new String[] {"label", "score"});

    private static RowData decode(List<String> names, List<LogicalType> types, String json)
            throws Exception {
        return new OutputDecoder(OutputFormat.JSON, names, types)
                .success("id", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTopLevelArrayFillsTheDataColumnsByPosition() throws Exception {
        RowData row =
                decode(
                        List.of("negative", "inference-id", "positive", "neutral"),
                        List.of(DOUBLE, STRING, DOUBLE, DOUBLE),
                        "[0.1, 0.9]");

        assertThat(row.getDouble(0)).isEqualTo(0.1);
        assertThat(row.getString(1).toString()).as("metadata columns do not count").isEqualTo("id");
        assertThat(row.getDouble(2)).isEqualTo(0.9);
        assertThat(row.isNullAt(3)).as("a missing element is NULL").isTrue();
    }

    @Test
    void aTopLevelArrayGoesWholeIntoTheOnlyDataColumnWhenItIsAnArray() throws Exception {
        RowData row =
                decode(
                        List.of("scores", "error-status"),
                        List.of(new ArrayType(DOUBLE), STRING),
                        "[0.1, 0.9]");

        assertThat(row.getArray(0).toDoubleArray()).containsExactly(0.1, 0.9);
        assertThat(row.isNullAt(1)).isTrue();
        assertThat(decode(List.of("score"), List.of(DOUBLE), "0.93").getDouble(0))
                .as("a single JSON value fills the only data column")
                .isEqualTo(0.93);
        assertThat(
                        decode(List.of("top"), List.of(PREDICTION), "[{\"label\":\"POS\"}]")
                                .getRow(0, 2))
                .as("by position, the only column is the first element")
                .extracting(nested -> nested.getString(0).toString())
                .isEqualTo("POS");
    }

    @Test
    void nestedObjectsAndArraysFillRowArrayAndMapColumns() throws Exception {
        RowData row =
                decode(
                        List.of("prediction", "alternatives", "probabilities", "pair"),
                        List.of(
                                PREDICTION,
                                new ArrayType(PREDICTION),
                                new MapType(STRING, DOUBLE),
                                PREDICTION),
                        "{\"prediction\":{\"label\":\"POS\",\"score\":0.9,\"extra\":1},"
                                + "\"alternatives\":[{\"label\":\"NEG\",\"score\":0.1},null,{}],"
                                + "\"probabilities\":{\"POS\":0.9,\"NEG\":0.1},"
                                + "\"pair\":[\"NEU\",0.5]}");

        RowData prediction = row.getRow(0, 2);
        assertThat(prediction.getString(0).toString()).isEqualTo("POS");
        assertThat(prediction.getDouble(1)).isEqualTo(0.9);
        ArrayData alternatives = row.getArray(1);
        assertThat(alternatives.size()).isEqualTo(3);
        assertThat(alternatives.getRow(0, 2).getString(0).toString()).isEqualTo("NEG");
        assertThat(alternatives.isNullAt(1)).isTrue();
        assertThat(alternatives.getRow(2, 2).isNullAt(0)).as("a missing field is NULL").isTrue();
        MapData probabilities = row.getMap(2);
        assertThat(probabilities.size()).isEqualTo(2);
        assertThat(probabilities.keyArray().getString(0).toString()).isEqualTo("POS");
        assertThat(probabilities.valueArray().getDouble(1)).isEqualTo(0.1);
        RowData pair = row.getRow(3, 2);
        assertThat(pair.getString(0).toString())
                .as("a ROW from an array, by position")
                .isEqualTo("NEU");
        assertThat(pair.getDouble(1)).isEqualTo(0.5);
    }

    @Test
    void aNestedValueThatDoesNotFitNamesItsColumnAndPath() {
        List<String> names = List.of("prediction", "alternatives");
        List<LogicalType> types = List.of(PREDICTION, new ArrayType(PREDICTION));

        assertThatThrownBy(
                        () ->
                                decode(
                                        names,
                                        types,
                                        "{\"prediction\":{\"label\":\"POS\",\"score\":\"high\"}}"))
                .hasMessage(
                        "Field 'prediction.score' = \"high\" does not fit column type DOUBLE"
                                + " (OUTPUT column 'prediction')");
        assertThatThrownBy(
                        () ->
                                decode(
                                        names,
                                        types,
                                        "{\"alternatives\":[{\"score\":0.1},{\"score\":[1]}]}"))
                .hasMessage(
                        "Field 'alternatives[1].score' = [1] does not fit column type DOUBLE"
                                + " (OUTPUT column 'alternatives')");
        assertThatThrownBy(() -> decode(names, types, "{\"alternatives\":{\"label\":\"POS\"}}"))
                .hasMessageStartingWith(
                        "Field 'alternatives' = {\"label\":\"POS\"} does not fit column type ARRAY<ROW<");
        assertThatThrownBy(
                        () ->
                                decode(
                                        List.of("negative", "positive"),
                                        List.of(DOUBLE, DOUBLE),
                                        "[0.1, \"high\"]"))
                .hasMessage(
                        "Field '$[1]' = \"high\" does not fit column type DOUBLE"
                                + " (OUTPUT column 'positive')");
    }

    @Test
    void aSingleStringOrBytesColumnTakesTheRawOutput() throws Exception {
        byte[] output = "not json at all".getBytes(StandardCharsets.UTF_8);
        RowData asString =
                new OutputDecoder(
                                OutputFormat.AUTO,
                                List.of("answer", "error-string"),
                                List.of(STRING, STRING))
                        .success("id", output);
        RowData asBytes =
                new OutputDecoder(OutputFormat.RAW, List.of("answer"), List.of(BYTES))
                        .success("id", output);

        assertThat(asString.getString(0).toString()).isEqualTo("not json at all");
        assertThat(asString.isNullAt(1)).isTrue();
        assertThat(asBytes.getBinary(0)).isEqualTo(output);
    }

    @Test
    void aFailureRowHasNullOutputsAndTheErrorColumns() {
        OutputDecoder decoder =
                new OutputDecoder(
                        OutputFormat.JSON,
                        List.of("label", "error-string", "error-status", "inference-id"),
                        List.of(STRING, STRING, STRING, STRING));

        RowData row = decoder.failure("id-9", "TIMED_OUT", "no result by the deadline");

        assertThat(decoder.hasErrorColumns()).isTrue();
        assertThat(row.isNullAt(0)).isTrue();
        assertThat(row.getString(1).toString()).isEqualTo("no result by the deadline");
        assertThat(row.getString(2).toString()).isEqualTo("TIMED_OUT");
        assertThat(row.getString(3).toString()).isEqualTo("id-9");
    }

    @Test
    void aRowWhoseInputColumnsAreAllNullHasNoPayloadInEveryFormat() {
        RowData nulls = GenericRowData.of(null, null, null, null, null);
        for (InputFormat format : List.of(InputFormat.JSON, InputFormat.CSV)) {
            assertThat(new PayloadEncoder(format, INPUT_NAMES, INPUT_TYPES).encode(nulls))
                    .as("%s", format)
                    .isNull();
        }
        PayloadEncoder raw = new PayloadEncoder(InputFormat.RAW, List.of("body"), List.of(STRING));
        assertThat(raw.encode(GenericRowData.of((Object) null))).isNull();
        assertThat(raw.encode(GenericRowData.of(StringData.fromString(""))).payload())
                .as("an empty string is a payload, which the submitter refuses without a call")
                .isEmpty();
    }

    private static Object decodeOne(LogicalType type, String json) throws Exception {
        OutputDecoder decoder =
                new OutputDecoder(OutputFormat.JSON, List.of("v", "w"), List.of(type, STRING));
        RowData row =
                decoder.success("id", ("{\"v\":" + json + "}").getBytes(StandardCharsets.UTF_8));
        return ((GenericRowData) row).getField(0);
    }

    /** Each of these became a different value before (0, 44, false, NULL): now an error. */
    @ParameterizedTest(name = "{1} into {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "INT | \"abc\"",
                "INT | 2.5",
                "INT | 2147483648",
                "TINYINT | 300",
                "SMALLINT | 40000",
                "BIGINT | 9223372036854775808",
                "BOOLEAN | \"yes\"",
                "BOOLEAN | 1",
                "DOUBLE | \"0.5\"",
                "FLOAT | 1E+300",
                "DECIMAL(5, 2) | 12345.6",
            })
    void aValueThatDoesNotFitItsColumnIsAnErrorNeverAnotherValue(String type, String json) {
        assertThatThrownBy(() -> decodeOne(type(type), json))
                .hasMessageStartingWith("Field 'v' = " + json + " does not fit column type");
    }

    @ParameterizedTest(name = "{1} into {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "INT | 42 | 42",
                "INT | 3.0 | 3",
                "TINYINT | -128 | -128",
                "BIGINT | 9223372036854775807 | 9223372036854775807",
                "BOOLEAN | true | true",
                "DOUBLE | 1e-3 | 0.001",
                "DECIMAL(5, 2) | 123.456 | 123.46",
                "DECIMAL(20, 2) | 12345678901234567.89 | 12345678901234567.89",
                "BIGINT | 9007199254740993.0 | 9007199254740993",
            })
    void valuesThatFitAreKept(String type, String json, String expected) throws Exception {
        assertThat(String.valueOf(decodeOne(type(type), json))).isEqualTo(expected);
    }

    private static LogicalType type(String name) {
        switch (name) {
            case "INT":
                return new IntType();
            case "TINYINT":
                return new TinyIntType();
            case "SMALLINT":
                return new SmallIntType();
            case "BIGINT":
                return new BigIntType();
            case "BOOLEAN":
                return new BooleanType();
            case "DOUBLE":
                return new DoubleType();
            case "FLOAT":
                return new FloatType();
            case "DECIMAL(20, 2)":
                return new DecimalType(20, 2);
            default:
                return new DecimalType(5, 2);
        }
    }

    @Test
    void outputColumnsThatJsonCannotFillAreRejectedByName() {
        assertThatThrownBy(
                        () ->
                                new OutputDecoder(
                                        OutputFormat.JSON,
                                        List.of("label", "at"),
                                        List.of(STRING, new TimestampType(3))))
                .hasMessageContaining("OUTPUT column 'at' has type TIMESTAMP(3)");
        assertThatThrownBy(
                        () ->
                                new OutputDecoder(
                                        OutputFormat.JSON,
                                        List.of("label", "error-status"),
                                        List.of(STRING, new IntType())))
                .hasMessage("OUTPUT column 'error-status' must be of type STRING");
        assertThatThrownBy(
                        () ->
                                new OutputDecoder(
                                        OutputFormat.JSON,
                                        List.of("label", "times"),
                                        List.of(STRING, new ArrayType(new TimestampType(3)))))
                .hasMessageContaining(
                        "OUTPUT column 'times' has type ARRAY<TIMESTAMP(3)>, whose TIMESTAMP(3)"
                                + " cannot be read from JSON");
        assertThatThrownBy(
                        () ->
                                new OutputDecoder(
                                        OutputFormat.JSON,
                                        List.of("label", "byCode"),
                                        List.of(STRING, new MapType(new IntType(), STRING))))
                .hasMessageContaining("OUTPUT column 'byCode' has type MAP<INT, STRING>");
    }
}
