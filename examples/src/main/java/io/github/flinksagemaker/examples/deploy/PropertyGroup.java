package io.github.flinksagemaker.examples.deploy;

import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One runtime property group as Managed Service for Apache Flink hands it over, read with errors
 * that name the group and the key. Values are never echoed for keys that may hold secrets.
 */
final class PropertyGroup {
    private final String name;
    private final Properties values;

    private PropertyGroup(String name, Properties values) {
        this.name = name;
        this.values = values;
    }

    /** The group {@code name}; empty when the properties have no such group. */
    static PropertyGroup of(Map<String, Properties> groups, String name) {
        return new PropertyGroup(name, groups.getOrDefault(name, new Properties()));
    }

    String name() {
        return name;
    }

    /**
     * This group with the values given under former key names moved to their current names; a value
     * under the current name wins unless it is blank, which {@link #optional} reads as absent (a
     * template's empty placeholder must not hide the value the user gave under the former name).
     */
    PropertyGroup renamed(Map<String, String> currentByFormer) {
        PropertyGroup current = new PropertyGroup(name, new Properties());
        current.values.putAll(values);
        currentByFormer.forEach(
                (former, renamedTo) -> {
                    Object value = current.values.remove(former);
                    if (value != null && current.optional(renamedTo) == null) {
                        current.values.put(renamedTo, value);
                    }
                });
        return current;
    }

    /** The trimmed value, or null when the key is absent or blank. */
    String optional(String key) {
        String value = values.getProperty(key);
        return value == null || value.isBlank() ? null : value.trim();
    }

    String orDefault(String key, String fallback) {
        String value = optional(key);
        return value == null ? fallback : value;
    }

    /**
     * @param when when the key is required, for the message: "on Managed Service for Apache Flink",
     *     "always", "with 'type' = 'kafka'"
     */
    String required(String key, String when) {
        String value = optional(key);
        if (value == null) {
            throw missing(key, when);
        }
        return value;
    }

    Duration duration(String key, Duration fallback) {
        String value = optional(key);
        if (value == null) {
            return fallback;
        }
        try {
            return TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw invalid(key, "is not a duration (e.g. '30 s'): '" + value + "'");
        }
    }

    /**
     * An enum value written in lower case with '-' for '_' (e.g. {@code msk-iam} for {@code
     * MSK_IAM}).
     */
    <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
        String value = optional(key);
        if (value == null) {
            return fallback;
        }
        for (E constant : type.getEnumConstants()) {
            if (spelling(constant).equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw invalid(
                key,
                "is '"
                        + value
                        + "'; expected one of "
                        + Arrays.stream(type.getEnumConstants())
                                .map(c -> "'" + spelling(c) + "'")
                                .collect(Collectors.joining(", ")));
    }

    /**
     * Fails on a key this group does not read, so that a misspelt key is not silently replaced by
     * its default.
     *
     * @param passThroughPrefix keys under it are passed on as they are; null for none
     */
    void rejectUnknownKeys(Set<String> keys, Set<String> moreKeys, String passThroughPrefix) {
        Set<String> known = new TreeSet<>(keys);
        known.addAll(moreKeys);
        for (String key : new TreeSet<>(values.stringPropertyNames())) {
            if (!known.contains(key)
                    && (passThroughPrefix == null || !key.startsWith(passThroughPrefix))) {
                throw invalid(
                        key,
                        "is not a key of this group; expected one of "
                                + known.stream()
                                        .map(k -> "'" + k + "'")
                                        .collect(Collectors.joining(", "))
                                + (passThroughPrefix == null
                                        ? ""
                                        : " or a key starting with '" + passThroughPrefix + "'"));
            }
        }
    }

    /** The keys under {@code prefix}, with the prefix removed (pass-through client settings). */
    Properties withPrefix(String prefix) {
        Properties stripped = new Properties();
        values.stringPropertyNames().stream()
                .filter(key -> key.startsWith(prefix))
                .forEach(
                        key ->
                                stripped.setProperty(
                                        key.substring(prefix.length()), values.getProperty(key)));
        return stripped;
    }

    Map<Object, Object> entries() {
        return values;
    }

    IllegalArgumentException missing(String key, String when) {
        return new IllegalArgumentException(
                "Property group '" + name + "' needs key '" + key + "' (required " + when + ")");
    }

    IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException("Property '" + name + "." + key + "' " + problem);
    }

    static String spelling(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
