package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.config.ConnectorOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.util.TimeUtils;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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

    static Stream<String[]> renamedKeys() {
        return ConnectorOptions.all().stream()
                .filter(option -> option.key().startsWith("sagemaker."))
                .flatMap(
                        option ->
                                StreamSupport.stream(option.fallbackKeys().spliterator(), false)
                                        .filter(FallbackKey::isDeprecated)
                                        .map(
                                                former ->
                                                        new String[] {
                                                            former.getKey(), option.key()
                                                        }));
    }

    /** A renamed option's former key is listed as deprecated, with the key to use instead. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("renamedKeys")
    void listsTheFormerKeyOfARenamedOption(String former, String current) throws IOException {
        assertThat(Files.readString(DOC)).contains("| `" + former + "` | `" + current + "` |");
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
