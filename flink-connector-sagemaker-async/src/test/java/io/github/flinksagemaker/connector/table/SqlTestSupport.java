package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.LocalModel;

import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

    /** The first {@code count} rows of a (possibly unbounded) query, then cancels it. */
    static List<Row> collect(TableResult result, int count) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> iterator = result.collect()) {
            while (rows.size() < count && iterator.hasNext()) {
                rows.add(iterator.next());
            }
        }
        return rows;
    }
}
