package io.github.flinksagemaker.connector.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every test the docs name as the proof of a guarantee exists: a test renamed or moved must take
 * its mention in the docs along, or the guarantee would point at nothing.
 */
class TestReferencesDocsTest {
    private static final Path ROOT = Path.of("..");

    /** {@code SomeTest}, {@code SomeITCase} or {@code SomeIT}, optionally {@code .method}. */
    private static final Pattern REFERENCE =
            Pattern.compile("`([A-Z]\\w*(?:Test|ITCase|IT))(?:\\.(\\w+))?`");

    @Test
    void everyTestTheDocsNameExistsWithItsMethod() throws IOException {
        Map<String, String> testSources = testSourcesByClassName();
        List<String> missing = new ArrayList<>();
        int references = 0;
        for (Path doc : docs()) {
            Matcher reference = REFERENCE.matcher(Files.readString(doc));
            while (reference.find()) {
                references++;
                String className = reference.group(1);
                String method = reference.group(2);
                String source = testSources.get(className);
                if (source == null) {
                    missing.add(ROOT.relativize(doc) + ": no test class " + className);
                } else if (method != null
                        && !Pattern.compile("\\b" + method + "\\s*\\(").matcher(source).find()) {
                    missing.add(ROOT.relativize(doc) + ": no method " + className + "." + method);
                }
            }
        }
        assertThat(references).as("test references found in the docs").isGreaterThan(50);
        assertThat(missing).as("tests the docs name that do not exist").isEmpty();
    }

    private static List<Path> docs() throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            files.filter(file -> file.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static Map<String, String> testSourcesByClassName() throws IOException {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file :
                    (Iterable<Path>)
                            files.filter(
                                            file ->
                                                    file.toString().contains("/src/test/java/")
                                                            && !file.toString().contains("/target/")
                                                            && file.toString().endsWith(".java"))
                                    ::iterator) {
                String name = file.getFileName().toString();
                sources.merge(
                        name.substring(0, name.length() - ".java".length()),
                        Files.readString(file),
                        String::concat);
            }
        }
        return sources;
    }
}
