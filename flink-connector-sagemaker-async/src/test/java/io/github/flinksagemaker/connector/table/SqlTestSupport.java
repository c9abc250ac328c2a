package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.CollectedStream;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.LocalModel;

import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Endpoints on the local SageMaker and the options that point SQL at them. */
final class SqlTestSupport {
    private SqlTestSupport() {}

    static void register(LocalSageMakerAsync local, String endpoint, LocalModel model) {
        local.registerEndpoint(
                LocalEndpointConfig.builder(endpoint)
                        .s3OutputPath(outputPath(local, endpoint))
                        .s3FailurePath(failurePath(local, endpoint))
                        .maxConcurrentInvocations(32)
                        .model(model)
                        .build());
    }

    static String outputPath(LocalSageMakerAsync local, String endpoint) {
        return "s3://" + local.bucket() + "/" + endpoint + "/output";
    }

    static String failurePath(LocalSageMakerAsync local, String endpoint) {
        return "s3://" + local.bucket() + "/" + endpoint + "/failure";
    }

    /** The endpoint, S3 and aws.* options, with quick polling for tests. */
    static Map<String, String> options(LocalSageMakerAsync local, String endpoint) {
        Map<String, String> options = new TreeMap<>(local.connectorAwsOptions());
        options.put("sagemaker.endpoint-name", endpoint);
        options.put("sagemaker.s3.input-prefix", "s3://" + local.bucket() + "/" + endpoint + "/in");
        options.put("sagemaker.result.poll-initial-delay", "20 ms");
        options.put("sagemaker.result.poll-max-delay", "200 ms");
        options.put("sagemaker.result.timeout", "2 min");
        return options;
    }

    /**
     * {@code options} with their credentials sub-keys spelt as Flink's AWS tables (Kinesis,
     * Firehose, DynamoDB) spell them: {@code aws.credentials.basic.accesskeyid} for {@code
     * aws.credentials.provider.basic.accesskeyid}.
     */
    static Map<String, String> inTableSpelling(Map<String, String> options) {
        Map<String, String> table = new TreeMap<>();
        options.forEach(
                (key, value) ->
                        table.put(
                                key.startsWith("aws.credentials.provider.")
                                        ? "aws.credentials."
                                                + key.substring(
                                                        "aws.credentials.provider.".length())
                                        : key,
                                value));
        assertThat(table).containsKey("aws.credentials.basic.secretkey");
        return table;
    }

    /** The options as a SQL WITH clause body. */
    static String withClause(Map<String, String> options) {
        StringBuilder sql = new StringBuilder();
        options.forEach(
                (key, value) -> {
                    if (sql.length() > 0) {
                        sql.append(",\n");
                    }
                    sql.append("  '").append(key).append("' = '").append(value).append("'");
                });
        return sql.toString();
    }

    /** Every row of a bounded query: reads to its end, so a duplicate or late row is seen. */
    static List<Row> collectAll(TableResult result) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> iterator = result.collect()) {
            iterator.forEachRemaining(rows::add);
        }
        return rows;
    }

    /**
     * The rows of an unbounded query: waits for {@code expected} rows, failing when none comes for
     * a minute, then reads on for {@code quiet} so that a duplicate after the last expected row is
     * seen, and cancels the query. Fails, with the failure as its cause, if the query fails first.
     */
    static List<Row> collectUnbounded(TableResult result, int expected, Duration quiet)
            throws Exception {
        return collectUnbounded(result.collect(), expected, quiet);
    }

    /** {@link #collectUnbounded(TableResult, int, Duration)} from the query's iterator. */
    static List<Row> collectUnbounded(CloseableIterator<Row> iterator, int expected, Duration quiet)
            throws Exception {
        try (CollectedStream<Row> rows = new CollectedStream<>(iterator, "sql-rows")) {
            long lastProgress = System.nanoTime();
            int seen = 0;
            while (rows.items().size() < expected) {
                failIfFailed(rows, rows.items().size() + " of " + expected + " rows");
                if (rows.items().size() > seen) {
                    seen = rows.items().size();
                    lastProgress = System.nanoTime();
                }
                assertThat(System.nanoTime() - lastProgress)
                        .as("rows stalled at %d of %d", seen, expected)
                        .isLessThan(Duration.ofMinutes(1).toNanos());
                Thread.sleep(50);
            }
            Thread.sleep(quiet.toMillis());
            failIfFailed(rows, "all " + expected + " rows, while watching for more");
            return rows.items();
        }
    }

    private static void failIfFailed(CollectedStream<Row> rows, String after) {
        Throwable failure = rows.failure();
        if (failure != null) {
            throw new AssertionError("The query failed after " + after + ": " + failure, failure);
        }
    }

    /** The values of field {@code field} of {@code rows}, for exact-set assertions. */
    static List<Object> column(List<Row> rows, int field) {
        List<Object> values = new ArrayList<>();
        rows.forEach(row -> values.add(row.getField(field)));
        return values;
    }

    /** 0 .. count - 1, the ids of test rows. */
    static List<Object> ids(int count) {
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(i);
        }
        return ids;
    }
}
