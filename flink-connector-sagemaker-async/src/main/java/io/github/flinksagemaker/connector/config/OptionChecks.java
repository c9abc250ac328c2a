package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * The checks every part of the connector runs on its options, with one message format: {@code
 * Invalid value 'v' for option 'k': allowed are ...}, or {@code Option 'k' is required}.
 */
@Internal
public final class OptionChecks {
    /** The most bytes one array holds: content read whole is bounded by it. */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private OptionChecks() {}

    /**
     * The option's value; text that does not parse (a typo in an enum, a malformed duration) names
     * the option and, for enums, the allowed values.
     */
    public static <T> T get(ReadableConfig configuration, ConfigOption<T> option) {
        try {
            return configuration.get(option);
        } catch (IllegalArgumentException e) {
            Object sample = option.hasDefaultValue() ? option.defaultValue() : null;
            String allowed =
                    sample instanceof Enum
                            ? Arrays.toString(
                                    ((Enum<?>) sample).getDeclaringClass().getEnumConstants())
                            : isSensitive(option.key())
                                    ? "values that parse"
                                    : "values that parse: " + rootMessage(e);
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + shown(
                                    option.key(),
                                    configuration.toMap().get(usedKey(configuration, option)))
                            + "' for option '"
                            + usedKey(configuration, option)
                            + "': allowed are "
                            + allowed,
                    e);
        }
    }

    /**
     * The key {@code option} was given under: its own, or a deprecated or fallback key, so that
     * messages name what the user wrote.
     */
    public static String usedKey(ReadableConfig configuration, ConfigOption<?> option) {
        Map<String, String> given = configuration.toMap();
        if (!given.containsKey(option.key())) {
            for (FallbackKey fallback : option.fallbackKeys()) {
                if (given.containsKey(fallback.getKey())) {
                    return fallback.getKey();
                }
            }
        }
        return option.key();
    }

    /** A string option that must be set to something other than white space; trimmed. */
    public static String required(ReadableConfig configuration, ConfigOption<String> option) {
        return configuration
                .getOptional(option)
                .map(String::trim)
                .filter(value -> !value.isEmpty())
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "Option '" + option.key() + "' is required"));
    }

    public static Duration positive(ReadableConfig configuration, ConfigOption<Duration> option) {
        Duration value = get(configuration, option);
        if (value == null || value.isZero() || value.isNegative()) {
            throw invalid(option, value, "positive durations");
        }
        return value;
    }

    public static Duration notNegative(
            ReadableConfig configuration, ConfigOption<Duration> option) {
        Duration value = get(configuration, option);
        if (value == null || value.isNegative()) {
            throw invalid(option, value, "zero or positive durations");
        }
        return value;
    }

    public static int atLeast(ReadableConfig configuration, ConfigOption<Integer> option, int min) {
        Integer value = get(configuration, option);
        if (value == null || value < min) {
            throw invalid(option, value, "integers of at least " + min);
        }
        return value;
    }

    public static int between(
            ReadableConfig configuration, ConfigOption<Integer> option, int min, int max) {
        Integer value = get(configuration, option);
        if (value == null || value < min || value > max) {
            throw invalid(option, value, "integers from " + min + " to " + max);
        }
        return value;
    }

    /**
     * A size in bytes from {@code min} to {@code max}. Sizes are {@link MemorySize} options, so
     * both '10 mb' and a plain number of bytes parse (k, m, g are 1024-based units).
     */
    public static long bytesBetween(
            ReadableConfig configuration, ConfigOption<MemorySize> option, long min, long max) {
        MemorySize value = get(configuration, option);
        if (value == null || value.getBytes() < min || value.getBytes() > max) {
            throw invalid(
                    option,
                    value == null ? null : value.toHumanReadableString(),
                    "sizes from " + min + " to " + max + " bytes");
        }
        return value.getBytes();
    }

    /**
     * The error for a value that parsed but is not allowed; {@code allowed} completes "allowed
     * are".
     */
    public static IllegalArgumentException invalid(
            ConfigOption<?> option, Object value, String allowed) {
        return new IllegalArgumentException(
                "Invalid value '"
                        + shown(option.key(), value)
                        + "' for option '"
                        + option.key()
                        + "': allowed are "
                        + allowed);
    }

    /** Key fragments of values never shown in messages: credentials and request attributes. */
    private static final String[] SENSITIVE =
            new String[] {
                "secret",
                "accesskey",
                "access-key",
                "token",
                "password",
                "externalid",
                "external-id",
                "custom-attributes"
            };

    /** Whether the value of {@code key} must not appear in messages or logs. */
    public static boolean isSensitive(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        for (String fragment : SENSITIVE) {
            if (lower.contains(fragment)) {
                return true;
            }
        }
        return false;
    }

    /** A value as messages may show it: masked for sensitive keys. */
    public static String shown(String key, Object value) {
        return isSensitive(key) ? "******" : String.valueOf(value);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
