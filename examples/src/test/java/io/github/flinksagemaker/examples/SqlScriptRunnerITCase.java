package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs examples/sql/review-sentiment.sql as the README says, on the embedded endpoint, and checks
 * every row of its three queries against the demo model.
 */
class SqlScriptRunnerITCase {
    private static final Map<Integer, String> TEXTS =
            Map.of(
                    1, "Great blender, I love it. Works perfectly.",
                    2, "Arrived broken. Terrible support, I want a refund.",
                    3, "It is a kettle. It boils water.",
                    4, "Excellent value, would recommend to anyone.",
                    5, "Slow, cheap plastic, returned it the next day.");

    private static String expected(int id) {
        return new String(SentimentDemoModel.score(TEXTS.get(id)), StandardCharsets.UTF_8);
    }

    @Test
    void theSqlExampleReturnsTheModelsOutputThreeWays() throws Exception {
        String script = Files.readString(Path.of("sql", "review-sentiment.sql"));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<List<Row>> results;
        try (LocalSageMakerAsync local = EmbeddedEndpoint.start(FaultInjection.NONE)) {
            Map<String, String> options =
                    new TreeMap<>(EmbeddedEndpoint.connectorOptions(local).toMap());
            options.put("sagemaker.result.poll-initial-delay", "50 ms");
            results =
                    SqlScriptRunner.run(
                            script,
                            options,
                            new PrintStream(printed, true, StandardCharsets.UTF_8));
        }

        assertThat(results).hasSize(3);
        assertThat(results.get(0))
                .extracting(row -> row.getField(0))
                .containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6);
        for (Row row : results.get(0)) {
            int id = (Integer) row.getField(0);
            assertThat(row.getField(1))
                    .as("review %d", id)
                    .isEqualTo(id == 6 ? null : expected(id));
        }

        assertThat(results.get(1)).hasSize(6);
        for (Row row : results.get(1)) {
            int id = (Integer) row.getField(0);
            if (id == 6) {
                assertThat(row.getField(1)).isNull();
                assertThat(row.getField(3)).isEqualTo("MODEL_ERROR");
            } else {
                assertThat(expected(id)).contains("\"label\":\"" + row.getField(1) + "\"");
                assertThat(row.getField(3)).isNull();
            }
        }

        assertThat(results.get(2)).hasSize(6);
        assertThat(results.get(2))
                .extracting(row -> row.getField(0))
                .containsOnlyOnce(1, 2, 3, 4, 5, 6);
        for (Row row : results.get(2)) {
            int id = (Integer) row.getField(0);
            if (id == 6) {
                assertThat(row.getField(1)).isEqualTo("MODEL_ERROR");
            } else {
                assertThat(row.getField(1)).isEqualTo("SUCCESS");
                assertThat(row.getField(2)).isEqualTo(expected(id));
            }
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("OK   CREATE TEMPORARY MODEL review_sentiment")
                .contains("[6 rows, ")
                .contains("DONE 6 rows in");
    }

    @Test
    void statementsSplitAtSemicolonsEndingALineAndSkipComments() {
        assertThat(
                        SqlScriptRunner.statements(
                                "-- a comment; with a semicolon\n"
                                        + "SELECT 'a;b'\nFROM t;\n"
                                        + "SET 'x' = 'y';\n"))
                .containsExactly("SELECT 'a;b'\nFROM t", "SET 'x' = 'y'");
    }
}
