package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.TableAwsOptions;
import io.github.flinksagemaker.connector.config.ConnectorOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.factories.FactoryUtil;

import java.util.Map;
import java.util.TreeMap;

/**
 * The checks both SQL factories run on their {@code WITH} options: credentials keys in the SQL
 * spelling of Flink's AWS tables become their DataStream spelling ({@link TableAwsOptions}), a
 * misspelt {@code sagemaker.*} or {@code aws.*} key names the closest known one, any other unknown
 * key fails with Flink's list of supported options, and DataStream credentials sub-keys pass
 * through.
 */
@Internal
final class FactoryOptions {
    private FactoryOptions() {}

    /**
     * The options without the factory's identifier key ('connector' or 'provider'), checked, in the
     * DataStream spelling.
     */
    static Map<String, String> validated(
            Map<String, String> declared,
            ConfigOption<String> identifierKey,
            FactoryUtil.FactoryHelper<?> helper) {
        Map<String, String> options = new TreeMap<>(declared);
        options.remove(identifierKey.key());
        options = TableAwsOptions.toDataStreamSpelling(options);
        ConnectorOptions.rejectUnknownKeys(Configuration.fromMap(options));
        // Both spellings of the credentials sub-keys: checked above.
        helper.validateExcept(TableAwsOptions.TABLE_CREDENTIALS_PREFIX);
        return options;
    }
}
