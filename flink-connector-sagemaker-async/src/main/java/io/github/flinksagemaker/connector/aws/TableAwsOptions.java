package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SQL spelling of the credentials options, as Flink's AWS tables (Kinesis, Firehose, DynamoDB)
 * spell them: {@code aws.credentials.basic.accesskeyid} for the DataStream's {@code
 * aws.credentials.provider.basic.accesskeyid}, and so on for every sub-key, nested ones included
 * ({@code aws.credentials.role.provider.basic.accesskeyid}). {@code aws.credentials.provider}
 * itself and every other {@code aws.*} key are spelt alike. The SQL surfaces translate their
 * options to the DataStream spelling once, where they read them, so the rest of the connector knows
 * one spelling. As in those tables, SQL-spelt basic keys without a provider mean BASIC.
 */
@Internal
public final class TableAwsOptions {
    /** What a SQL credentials sub-key starts with. */
    public static final String TABLE_CREDENTIALS_PREFIX = "aws.credentials.";

    private static final String DATA_STREAM_PREFIX =
            AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX + ".";
    private static final String NESTED = AwsConfigOptions.ROLE_PROVIDER + ".";

    private TableAwsOptions() {}

    /** The SQL spelling of every top-level credentials sub-key, in AWSConfigConstants' order. */
    public static List<String> tableCredentialsKeys() {
        List<String> keys = new ArrayList<>();
        for (String suffix : AwsConfigOptions.CREDENTIALS_SUFFIXES) {
            keys.add(TABLE_CREDENTIALS_PREFIX + suffix);
        }
        return keys;
    }

    /** Whether {@code key} is spelt the SQL way, e.g. {@code aws.credentials.role.arn}. */
    public static boolean isTableSpelling(String key) {
        return key.startsWith(TABLE_CREDENTIALS_PREFIX)
                && !key.equals(AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX)
                && !key.startsWith(DATA_STREAM_PREFIX);
    }

    /** The DataStream spelling of a SQL-spelt key; other keys unchanged. */
    public static String toDataStreamKey(String key) {
        return isTableSpelling(key)
                ? DATA_STREAM_PREFIX + key.substring(TABLE_CREDENTIALS_PREFIX.length())
                : key;
    }

    /** The SQL spelling of a DataStream credentials sub-key, else null. */
    public static String toTableKey(String key) {
        return key.startsWith(DATA_STREAM_PREFIX)
                ? TABLE_CREDENTIALS_PREFIX + key.substring(DATA_STREAM_PREFIX.length())
                : null;
    }

    /**
     * {@code options} with every SQL-spelt credentials key in its DataStream spelling. The
     * DataStream spelling still works in SQL; the same option in both spellings must have one
     * value. Values are never shown: they may be secrets.
     *
     * @throws IllegalArgumentException for a SQL-spelt key the connector does not know, naming the
     *     closest known one, or for an option given in both spellings with different values, naming
     *     both keys
     */
    public static Map<String, String> toDataStreamSpelling(Map<String, String> options) {
        Map<String, String> translated = new TreeMap<>();
        Map<String, String> spelledAs = new TreeMap<>();
        for (Map.Entry<String, String> option : options.entrySet()) {
            String key = option.getKey();
            if (isTableSpelling(key)) {
                checkKnown(key);
            }
            String dataStreamKey = toDataStreamKey(key);
            String earlier = spelledAs.put(dataStreamKey, key);
            String earlierValue = translated.put(dataStreamKey, option.getValue());
            if (earlier != null && !sameValue(earlierValue, option.getValue())) {
                // Only one of two keys that translate alike can be SQL-spelt.
                String tableKey = isTableSpelling(earlier) ? earlier : key;
                throw new IllegalArgumentException(
                        "Options '"
                                + tableKey
                                + "' and '"
                                + dataStreamKey
                                + "' are one option in two spellings (Flink's SQL tables and"
                                + " its DataStream AWSConfigConstants) with different values;"
                                + " set only '"
                                + tableKey
                                + "'");
            }
        }
        impliedBasic(options, translated);
        return translated;
    }

    /**
     * As in Flink's AWS tables, an access key and a secret key without a provider mean BASIC, at
     * the top level and below {@code role.provider}; only for keys in the SQL spelling, since the
     * DataStream spelling has always meant AUTO here when no provider is set.
     */
    private static void impliedBasic(Map<String, String> given, Map<String, String> translated) {
        String accessKey = "." + AwsConfigOptions.BASIC_ACCESS_KEY_ID;
        for (String key : given.keySet()) {
            if (isTableSpelling(key) && key.endsWith(accessKey)) {
                String dataStreamKey = toDataStreamKey(key);
                String provider =
                        dataStreamKey.substring(0, dataStreamKey.length() - accessKey.length());
                if (!translated.containsKey(provider)
                        && translated.containsKey(
                                provider + "." + AwsConfigOptions.BASIC_SECRET_KEY)) {
                    translated.put(provider, CredentialsProviderType.BASIC.name());
                }
            }
        }
    }

    private static boolean sameValue(String a, String b) {
        return a == null ? b == null : b != null && a.strip().equals(b.strip());
    }

    /** Accepts a known sub-key below any number of {@code role.provider.} levels. */
    private static void checkKnown(String key) {
        String suffix = key.substring(TABLE_CREDENTIALS_PREFIX.length());
        while (suffix.startsWith(NESTED)) {
            suffix = suffix.substring(NESTED.length());
        }
        if (!AwsConfigOptions.CREDENTIALS_SUFFIXES.contains(suffix)) {
            LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
            String closest =
                    tableCredentialsKeys().stream()
                            .min(Comparator.comparingInt(known -> distance.apply(key, known)))
                            .orElseThrow();
            throw new IllegalArgumentException(
                    "Unknown option '"
                            + key
                            + "'. Did you mean '"
                            + closest
                            + "'? All options: docs/configuration.md");
        }
    }
}
