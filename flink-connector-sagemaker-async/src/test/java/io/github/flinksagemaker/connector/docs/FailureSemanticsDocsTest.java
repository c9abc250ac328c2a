package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The read-failure table in {@code docs/failure-semantics.md} says what the code decides. */
class FailureSemanticsDocsTest {
    private static final String HEADING = "## A failed read of a result object";

    /** An error code in backticks, e.g. {@code `NoSuchBucket`}. */
    private static final Pattern CODE = Pattern.compile("`([A-Za-z.]+)`");

    /** The table's columns after the first. */
    private static final ResultLocationOrigin[] COLUMNS = {
        ResultLocationOrigin.CONFIGURED_SEEN,
        ResultLocationOrigin.CONFIGURED_UNSEEN,
        ResultLocationOrigin.NOTIFIED
    };

    /** Each row, by the start of its first cell, and the kinds of error it stands for. */
    private static final Map<String, Set<AwsErrorKind>> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("credentials refused", EnumSet.of(AwsErrorKind.CREDENTIALS));
        ROWS.put("request not secure enough", EnumSet.of(AwsErrorKind.INSECURE_REQUEST));
        ROWS.put(
                "no credentials for now",
                EnumSet.of(
                        AwsErrorKind.CREDENTIALS_UNAVAILABLE,
                        AwsErrorKind.THROTTLED,
                        AwsErrorKind.TRANSIENT));
        ROWS.put("bucket does not exist", EnumSet.of(AwsErrorKind.NO_SUCH_BUCKET));
        ROWS.put("bucket in another region", EnumSet.of(AwsErrorKind.WRONG_REGION));
        ROWS.put("no such key", EnumSet.of(AwsErrorKind.NO_SUCH_KEY));
        ROWS.put("403 `AccessDenied`", EnumSet.of(AwsErrorKind.ACCESS_DENIED));
        ROWS.put("archived", EnumSet.of(AwsErrorKind.OBJECT_STATE));
        ROWS.put("the object's KMS key", EnumSet.of(AwsErrorKind.KMS_KEY));
        ROWS.put("anything else", EnumSet.of(AwsErrorKind.OTHER, AwsErrorKind.NO_SUCH_QUEUE));
    }

    @Test
    void theReadFailureTableSaysWhatTheCodeDecidesForEveryKindAndOrigin() throws IOException {
        List<String[]> rows = tableRows();
        assertThat(rows).as("rows of the table under '%s'", HEADING).hasSize(ROWS.size());
        Set<AwsErrorKind> covered = EnumSet.noneOf(AwsErrorKind.class);
        List<String> wrong = new ArrayList<>();
        for (String[] cells : rows) {
            Set<AwsErrorKind> kinds = kindsOf(cells[0]);
            covered.addAll(kinds);
            for (AwsErrorKind kind : kinds) {
                for (int column = 0; column < COLUMNS.length; column++) {
                    ResultReadFailure documented = decision(cells[column + 1]);
                    ResultReadFailure decided = ResultReadFailure.of(kind, COLUMNS[column]);
                    if (documented != decided) {
                        wrong.add(
                                kind
                                        + " at "
                                        + COLUMNS[column]
                                        + ": the docs say "
                                        + documented
                                        + ", the code decides "
                                        + decided);
                    }
                }
            }
        }
        assertThat(wrong).as("cells that disagree with ResultReadFailure").isEmpty();
        assertThat(codesOutsideTheirRow(rows))
                .as("error codes a row names but not of its kinds")
                .isEmpty();
        assertThat(covered)
                .as("kinds of error the table covers")
                .containsExactlyInAnyOrder(AwsErrorKind.values());
    }

    /**
     * Each error code a row names (in backticks) is of one of the row's kinds, so that a code moved
     * to another kind cannot stay documented under the old one.
     */
    private static List<String> codesOutsideTheirRow(List<String[]> rows) {
        List<String> wrong = new ArrayList<>();
        for (String[] cells : rows) {
            Set<AwsErrorKind> kinds = kindsOf(cells[0]);
            Matcher code = CODE.matcher(cells[0]);
            while (code.find()) {
                AwsErrorKind kind = AwsErrors.classify(S3Errors.of(400, code.group(1)));
                if (!kinds.contains(kind)) {
                    wrong.add(code.group(1) + " is " + kind + ", not one of " + kinds);
                }
            }
        }
        return wrong;
    }

    private static List<String[]> tableRows() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "failure-semantics.md"));
        int section = doc.indexOf(HEADING);
        assertThat(section).as("the section '%s'", HEADING).isNotNegative();
        int end = doc.indexOf("\n## ", section + HEADING.length());
        List<String[]> rows = new ArrayList<>();
        for (String line : doc.substring(section, end).split("\n")) {
            if (line.startsWith("| ") && !line.startsWith("| error ")) {
                String[] cells = line.substring(1, line.length() - 1).split("\\|");
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].trim();
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    private static Set<AwsErrorKind> kindsOf(String firstCell) {
        return ROWS.entrySet().stream()
                .filter(row -> firstCell.startsWith(row.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("A row the test does not know: " + firstCell));
    }

    private static ResultReadFailure decision(String cell) {
        if (cell.equals("fatal")) {
            return ResultReadFailure.FATAL;
        }
        if (cell.equals("retried")) {
            return ResultReadFailure.RETRY;
        }
        if (cell.equals("UNREADABLE")) {
            return ResultReadFailure.UNREADABLE;
        }
        if (cell.equals("absent")) {
            return ResultReadFailure.ABSENT;
        }
        if (cell.startsWith("absent for now")) {
            return ResultReadFailure.DENIED_MAYBE_ABSENT;
        }
        throw new AssertionError("A cell the test does not know: " + cell);
    }
}
