package io.github.flinksagemaker.connector.common;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.join.JoinOptions;
import io.github.flinksagemaker.connector.source.WatchOptions;
import io.github.flinksagemaker.connector.submit.SageMakerAsyncOptions;
import io.github.flinksagemaker.connector.table.SageMakerSqlOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Rejects {@code sagemaker.*} and {@code aws.*} keys the connector does not know, so that a typo in
 * options given as strings (properties files, {@code setAll}) is an error instead of being silently
 * ignored. Credentials sub-keys below {@code aws.credentials.provider} are free-form.
 */
@Internal
public final class ConnectorOptionKeys {
    private static final Set<String> KNOWN = new TreeSet<>();

    static {
        for (Class<?> holder :
                new Class<?>[] {
                    AwsConfigOptions.class,
                    SageMakerAsyncOptions.class,
                    WatchOptions.class,
                    JoinOptions.class,
                    SageMakerSqlOptions.class
                }) {
            for (Field field : holder.getFields()) {
                if (Modifier.isStatic(field.getModifiers())
                        && field.getType() == ConfigOption.class) {
                    try {
                        KNOWN.add(((ConfigOption<?>) field.get(null)).key());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
    }

    private ConnectorOptionKeys() {}

    /** The public static {@link ConfigOption} fields of option holder classes. */
    public static Set<ConfigOption<?>> declaredOptions(Class<?>... holders) {
        Set<ConfigOption<?>> options = new java.util.LinkedHashSet<>();
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

    /** Every {@code sagemaker.*} and {@code aws.*} key the connector defines, sorted. */
    public static Set<String> knownKeys() {
        return java.util.Collections.unmodifiableSet(KNOWN);
    }

    /**
     * @throws IllegalArgumentException naming the unknown key and the closest known one
     */
    public static void validate(Configuration configuration) {
        for (String key : configuration.keySet()) {
            boolean ours = key.startsWith("sagemaker.") || key.startsWith("aws.");
            boolean credentials =
                    key.startsWith(AwsConfigOptions.CREDENTIALS_PROVIDER_PREFIX + ".");
            if (ours && !credentials && !KNOWN.contains(key)) {
                throw new IllegalArgumentException(
                        "Unknown option '"
                                + key
                                + "'. Did you mean '"
                                + closest(key)
                                + "'? All options: docs/configuration.md");
            }
        }
    }

    private static String closest(String key) {
        return KNOWN.stream()
                .min(Comparator.comparingInt(known -> distance(key, known)))
                .orElseThrow();
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
