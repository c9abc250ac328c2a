package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.config.ConnectorOptions;
import io.github.flinksagemaker.connector.config.SqlOptions;
import io.github.flinksagemaker.connector.table.SageMakerModelProviderFactory;
import io.github.flinksagemaker.connector.table.SageMakerResultsTableFactory;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.factories.Factory;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code docs/sql.md} names every option the SQL surfaces accept. */
class SqlDocsTest {
    private static final Path DOC = Path.of("..", "docs", "sql.md");

    static Stream<String> keys() {
        Factory model = new SageMakerModelProviderFactory();
        Factory results = new SageMakerResultsTableFactory();
        return Stream.of(
                        model.requiredOptions(),
                        model.optionalOptions(),
                        results.requiredOptions(),
                        results.optionalOptions(),
                        ConnectorOptions.declaredIn(SqlOptions.class))
                .flatMap(java.util.Set::stream)
                .map(ConfigOption::key)
                .distinct();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keys")
    void documentsTheKey(String key) throws IOException {
        assertThat(Files.readString(DOC)).contains("`" + key + "`");
    }
}
