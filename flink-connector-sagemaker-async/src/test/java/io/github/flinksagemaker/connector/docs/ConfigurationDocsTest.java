package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.config.ConnectorOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/configuration.md} lists every option with its current default, so the reference
 * cannot drift from the code: a new option, or a changed default, fails this test until the docs
 * say so.
 */
class ConfigurationDocsTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    static Stream<ConfigOption<?>> options() {
        return ConnectorOptions.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("options")
    void documentsTheOptionWithItsDefault(ConfigOption<?> option) throws IOException {
        String row = "| `" + option.key() + "` | " + defaultText(option) + " |";
        assertThat(Files.readString(DOC)).contains(row);
    }

    static String defaultText(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        Object value = option.defaultValue();
        return "`"
                + (value instanceof Duration
                        ? TimeUtils.formatWithHighestUnit((Duration) value)
                        : String.valueOf(value))
                + "`";
    }
}
