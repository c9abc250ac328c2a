package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a failed GET of a result object must mean, written out by hand for every {@link
 * AwsErrorKind} and every {@link ResultLocationOrigin}: the table {@code ResultReadFailureTest}
 * holds the code to, and each reader's test its actions. Not computed from the code under test.
 */
public final class ResultReadFailureTable {
    /** One row a line: kind, then CONFIGURED_SEEN, CONFIGURED_UNSEEN, NOTIFIED. */
    private static final String TABLE =
            """
            CREDENTIALS              FATAL       FATAL                FATAL
            CREDENTIALS_UNAVAILABLE  RETRY       RETRY                RETRY
            ACCESS_DENIED            UNREADABLE  DENIED_MAYBE_ABSENT  UNREADABLE
            NO_SUCH_BUCKET           FATAL       FATAL                UNREADABLE
            NO_SUCH_QUEUE            UNREADABLE  UNREADABLE           UNREADABLE
            WRONG_REGION             FATAL       FATAL                UNREADABLE
            NO_SUCH_KEY              ABSENT      ABSENT               UNREADABLE
            OBJECT_STATE             UNREADABLE  UNREADABLE           UNREADABLE
            KMS_KEY                  UNREADABLE  UNREADABLE           UNREADABLE
            INSECURE_REQUEST         FATAL       FATAL                FATAL
            THROTTLED                RETRY       RETRY                RETRY
            TRANSIENT                RETRY       RETRY                RETRY
            OTHER                    UNREADABLE  UNREADABLE           UNREADABLE
            """;

    private static final ResultLocationOrigin[] COLUMNS = {
        ResultLocationOrigin.CONFIGURED_SEEN,
        ResultLocationOrigin.CONFIGURED_UNSEEN,
        ResultLocationOrigin.NOTIFIED
    };

    private static final Map<AwsErrorKind, Map<ResultLocationOrigin, ResultReadFailure>> ROWS =
            parse();

    private ResultReadFailureTable() {}

    /** The expected meaning; fails when the table has no row for {@code kind}. */
    public static ResultReadFailure expected(AwsErrorKind kind, ResultLocationOrigin origin) {
        Map<ResultLocationOrigin, ResultReadFailure> row = ROWS.get(kind);
        if (row == null) {
            throw new AssertionError(
                    "ResultReadFailureTable has no row for " + kind + ": decide it and add it");
        }
        return row.get(origin);
    }

    private static Map<AwsErrorKind, Map<ResultLocationOrigin, ResultReadFailure>> parse() {
        Map<AwsErrorKind, Map<ResultLocationOrigin, ResultReadFailure>> rows =
                new EnumMap<>(AwsErrorKind.class);
        for (String line : TABLE.strip().split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length != COLUMNS.length + 1) {
                throw new IllegalStateException("A row of the table needs 4 cells: " + line);
            }
            Map<ResultLocationOrigin, ResultReadFailure> row =
                    new EnumMap<>(ResultLocationOrigin.class);
            for (int i = 0; i < COLUMNS.length; i++) {
                row.put(COLUMNS[i], ResultReadFailure.valueOf(cells[i + 1]));
            }
            if (rows.put(AwsErrorKind.valueOf(cells[0]), row) != null) {
                throw new IllegalStateException("Two rows for " + cells[0]);
            }
        }
        return rows;
    }
}
