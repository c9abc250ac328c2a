package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.config.ModelOptions.InputFormat;
import io.github.flinksagemaker.connector.config.ModelOptions.OutputFormat;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
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
        assertThatThrownBy(() -> decoder.success("id-2", "[1]".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("The model output is not a JSON object");
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
    }
}
