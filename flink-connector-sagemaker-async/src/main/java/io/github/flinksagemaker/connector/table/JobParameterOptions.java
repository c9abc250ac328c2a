package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.TableAwsOptions;
import io.github.flinksagemaker.connector.config.ConnectorOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.functions.FunctionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a function's options from the job parameters ({@code pipeline.global-job-parameters}), the
 * only configuration a function created with {@code CREATE FUNCTION} can see. A function context
 * cannot list parameters, so this asks for every key the connector knows, credentials keys in both
 * spellings ({@link TableAwsOptions}), one level of {@code role.provider} deep.
 */
@Internal
final class JobParameterOptions {
    private JobParameterOptions() {}

    static Map<String, String> read(FunctionContext context) {
        Map<String, String> options = new TreeMap<>();
        for (String key : keys()) {
            String value = context.getJobParameter(key, null);
            if (value != null) {
                options.put(key, value);
            }
        }
        return options;
    }

    private static List<String> keys() {
        List<String> keys = new ArrayList<>(ConnectorOptions.knownKeys());
        for (String prefix :
                List.of(
                        AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX + ".",
                        TableAwsOptions.TABLE_CREDENTIALS_PREFIX)) {
            for (String credential : AwsConfigOptions.CREDENTIALS_SUFFIXES) {
                keys.add(prefix + credential);
                // The source provider of ASSUME_ROLE, e.g. role.provider.basic.accesskeyid.
                keys.add(prefix + AwsConfigOptions.ROLE_PROVIDER + "." + credential);
            }
        }
        return keys;
    }
}
