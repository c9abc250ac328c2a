package io.github.flinksagemaker.connector.config;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.TableAwsOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one list of the connector's option holders, and what is derived from it: the options each
 * declares, and the check that rejects {@code sagemaker.*} and {@code aws.*} keys the connector
 * does not know, so that a typo in options given as strings (properties files, {@code setAll}, SQL
 * {@code WITH}) is an error naming the closest known key instead of being silently ignored.
 * Credentials sub-keys below {@code aws.credentials.provider} are free-form. The SQL surfaces
 * translate the SQL spelling of credentials keys ({@link TableAwsOptions}) before this check; here,
 * in DataStream options, such a key is refused, naming its DataStream spelling.
 */
@Internal
public final class ConnectorOptions {
    /** Every class whose public static {@link ConfigOption} fields are options of the connector. */
    public static final List<Class<?>> HOLDERS =
            List.of(
                    AwsConfigOptions.class,
                    SubmitOptions.class,
                    WatchOptions.class,
                    JoinOptions.class,
                    CompletionOptions.class,
                    SqlOptions.class,
                    ModelOptions.class);

    private static final Set<String> KNOWN_KEYS = knownKeysOf(HOLDERS);

    /** Each known key's current name: itself, or for a former name the key it was renamed to. */
    private static final Map<String, String> CURRENT_NAMES = currentNamesOf(HOLDERS);

    private ConnectorOptions() {}

    /** The public static {@link ConfigOption} fields of {@code holders}, in declaration order. */
    public static Set<ConfigOption<?>> declaredIn(Class<?>... holders) {
        return declaredIn(List.of(holders));
    }

    /** Every option of every holder. */
    public static Set<ConfigOption<?>> all() {
        return declaredIn(HOLDERS);
    }

    /** Every {@code sagemaker.*} and {@code aws.*} key the connector defines, sorted. */
    public static Set<String> knownKeys() {
        return Collections.unmodifiableSet(KNOWN_KEYS);
    }

    /**
     * @throws IllegalArgumentException naming the first unknown key and the closest known one
     */
    public static void rejectUnknownKeys(Configuration configuration) {
        for (String key : configuration.keySet()) {
            boolean ours = key.startsWith("sagemaker.") || key.startsWith("aws.");
            boolean credentials =
                    key.startsWith(AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX + ".");
            if (TableAwsOptions.isTableSpelling(key)) {
                throw new IllegalArgumentException(
                        "Option '"
                                + key
                                + "' is spelt as in Flink's SQL tables; DataStream options spell"
                                + " it as AWSConfigConstants does: '"
                                + TableAwsOptions.toDataStreamKey(key)
                                + "'. All options: docs/configuration.md");
            }
            if (ours && !credentials && !KNOWN_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown option '"
                                + key
                                + "'. Did you mean '"
                                + closestKnownKey(key)
                                + "'? All options: docs/configuration.md");
            }
        }
    }

    private static String closestKnownKey(String key) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        // A typo of a former name points to the name to use now.
        return CURRENT_NAMES.get(
                KNOWN_KEYS.stream()
                        .min(Comparator.comparingInt(known -> distance.apply(key, known)))
                        .orElseThrow());
    }

    private static Set<ConfigOption<?>> declaredIn(List<Class<?>> holders) {
        Set<ConfigOption<?>> options = new LinkedHashSet<>();
        for (Class<?> holder : holders) {
            for (Field field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == ConfigOption.class) {
                    try {
                        options.add((ConfigOption<?>) field.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return options;
    }

    private static Map<String, String> currentNamesOf(List<Class<?>> holders) {
        Map<String, String> names = new HashMap<>();
        for (ConfigOption<?> option : declaredIn(holders)) {
            names.put(option.key(), option.key());
            option.fallbackKeys().forEach(fallback -> names.put(fallback.getKey(), option.key()));
        }
        return names;
    }

    private static Set<String> knownKeysOf(List<Class<?>> holders) {
        Set<String> keys = new TreeSet<>();
        for (ConfigOption<?> option : declaredIn(holders)) {
            // Former names of renamed options are still read, so they are not typos.
            List<String> names = new ArrayList<>();
            names.add(option.key());
            option.fallbackKeys().forEach(fallback -> names.add(fallback.getKey()));
            for (String key : names) {
                if (key.startsWith("sagemaker.") || key.startsWith("aws.")) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }
}
