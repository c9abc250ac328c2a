package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.ConnectorOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.factories.FactoryUtil;

import java.util.Map;
import java.util.TreeMap;

/**
 * The checks both SQL factories run on their {@code WITH} options: a misspelt {@code sagemaker.*}
 * or {@code aws.*} key names the closest known one, any other unknown key fails with Flink's list
 * of supported options, and credentials sub-keys pass through.
 */
@Internal
final class FactoryOptions {
    private FactoryOptions() {}

    /** The options without the factory's identifier key ('connector' or 'provider'), checked. */
    static Map<String, String> validated(
            Map<String, String> declared,
            ConfigOption<String> identifierKey,
            FactoryUtil.FactoryHelper<?> helper) {
        Map<String, String> options = new TreeMap<>(declared);
        options.remove(identifierKey.key());
        ConnectorOptions.rejectUnknownKeys(Configuration.fromMap(options));
        helper.validateExcept(AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX + ".");
        return options;
    }
}
