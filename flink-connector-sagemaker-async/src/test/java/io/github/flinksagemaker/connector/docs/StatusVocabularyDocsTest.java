package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.join.InferenceStatus;
import io.github.flinksagemaker.connector.table.RowStatus;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One status vocabulary across the surfaces: the watch source, the one-call API and SQL name an
 * outcome alike, and the places that list the statuses list them all.
 */
class StatusVocabularyDocsTest {
    private static final Path ONE_CALL_SOURCE =
            Path.of(
                    "src/main/java/io/github/flinksagemaker/connector/SageMakerAsyncInference.java");
    private static final Path RESULTS_DOC = Path.of("..", "docs", "results.md");

    /** The names in use: a deprecated constant is kept only to restore old state. */
    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).filter(value -> !isDeprecated(value)).map(Enum::name).toList();
    }

    private static boolean isDeprecated(Enum<?> value) {
        try {
            return value.getDeclaringClass()
                    .getField(value.name())
                    .isAnnotationPresent(Deprecated.class);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theWatchSourceAndSqlNameOutcomesAsTheOneCallApiDoes() {
        assertThat(names(InferenceStatus.values())).containsAll(names(ResultStatus.values()));
        assertThat(names(RowStatus.values())).containsAll(names(InferenceStatus.values()));
    }

    @Test
    void theOneCallApiJavadocListsEveryStatus() throws IOException {
        String source = Files.readString(ONE_CALL_SOURCE);
        String classJavadoc =
                source.substring(source.indexOf("/**"), source.indexOf("public final class"));
        assertThat(classJavadoc).contains(names(InferenceStatus.values()));
    }

    @Test
    void theResultsDocHasAColumnForEveryStatus() throws IOException {
        String header =
                Files.readAllLines(RESULTS_DOC).stream()
                        .filter(line -> line.startsWith("| field |"))
                        .findFirst()
                        .orElseThrow();
        assertThat(header).contains(names(InferenceStatus.values()));
    }
}
