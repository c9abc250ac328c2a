package io.github.flinksagemaker.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** README's table of the example job's flags has a row for every flag the job's usage lists. */
class ExampleOptionsDocsTest {
    @Test
    void theReadmeDocumentsEveryFlagOfTheExampleJob() throws IOException {
        List<String> flags = new ArrayList<>();
        Matcher flag = Pattern.compile("(?m)^ {2}(--[a-z-]+)").matcher(ExampleOptions.USAGE);
        while (flag.find()) {
            flags.add(flag.group(1));
        }
        String readme = Files.readString(Path.of("..", "README.md"));

        assertThat(flags).contains("--completion", "--queue-url").hasSizeGreaterThan(8);
        assertThat(flags).allSatisfy(f -> assertThat(readme).contains("\n| `" + f + " "));
    }
}
