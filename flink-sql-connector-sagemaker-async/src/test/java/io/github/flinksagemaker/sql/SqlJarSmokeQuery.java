package io.github.flinksagemaker.sql;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs in a separate JVM whose class path is the shaded SQL jar beside Flink's own jars, as in the
 * SQL client: finds both factories by their identifiers and makes real SDK calls through the
 * relocated classes, then plans a model with a misspelt key, whose error names the closest key. It
 * names no connector class, so nothing but the jar can satisfy it.
 *
 * <p>Arguments: the {@code WITH} options shared by both statements, as {@code 'k' = 'v', ...}, the
 * endpoint's output prefix and its failure prefix.
 */
public final class SqlJarSmokeQuery {
    private SqlJarSmokeQuery() {}

    public static void main(String[] args) throws Exception {
        String aws = args[0];
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TEMPORARY MODEL sentiment INPUT (text STRING) OUTPUT (label STRING)"
                        + " WITH ('provider' = 'sagemaker-async', 'output-format' = 'JSON', "
                        + aws
                        + ", 'sagemaker.endpoint-name' = 'smoke'"
                        + ", 'sagemaker.result.poll-initial-delay' = '20 ms')");
        tEnv.executeSql(
                "CREATE TEMPORARY VIEW reviews AS SELECT * FROM (VALUES ('great'), ('awful'))"
                        + " AS t(text)");
        List<String> labels = new ArrayList<>();
        try (CloseableIterator<Row> rows =
                tEnv.executeSql(
                                "SELECT label FROM ML_PREDICT(TABLE reviews, MODEL sentiment,"
                                        + " DESCRIPTOR(text))")
                        .collect()) {
            rows.forEachRemaining(row -> labels.add((String) row.getField(0)));
        }
        labels.sort(String::compareTo);
        System.out.println("labels=" + labels);

        tEnv.executeSql(
                "CREATE TEMPORARY TABLE results (location STRING, status STRING) WITH ("
                        + "'connector' = 'sagemaker-async-results', "
                        + aws
                        + ", 'sagemaker.output-path' = '"
                        + args[1]
                        + "', 'sagemaker.failure-path' = '"
                        + args[2]
                        + "', 'sagemaker.watch.bounded' = 'true')");
        try (CloseableIterator<Row> rows =
                tEnv.executeSql("SELECT status, COUNT(*) FROM results GROUP BY status").collect()) {
            List<String> counts = new ArrayList<>();
            rows.forEachRemaining(row -> counts.add(row.getField(0) + ":" + row.getField(1)));
            System.out.println("results=" + counts.get(counts.size() - 1));
        }

        tEnv.executeSql(
                "CREATE TEMPORARY MODEL misspelt INPUT (text STRING) OUTPUT (label STRING)"
                        + " WITH ('provider' = 'sagemaker-async', 'output-format' = 'JSON', "
                        + aws
                        + ", 'sagemaker.endpoint-name' = 'smoke'"
                        + ", 'sagemaker.result.poll-initial-dela' = '20 ms')");
        try {
            tEnv.executeSql(
                            "SELECT label FROM ML_PREDICT(TABLE reviews, MODEL misspelt, DESCRIPTOR(text))")
                    .await();
            System.out.println("unknown key accepted");
        } catch (Throwable e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                System.out.println("unknown key: " + cause);
            }
        }
    }
}
