package io.github.flinksagemaker.examples;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The script's placeholders get the options their statements accept, and no others. */
class SqlScriptRunnerFillTest {
    private static final String SCRIPT = "ENDPOINT(${ENDPOINT_OPTIONS}) WATCH(${WATCH_OPTIONS})";

    @Test
    void theResultsTableGetsThePathsAndTheFunctionsDoNot() {
        String filled =
                SqlScriptRunner.fill(
                        SCRIPT,
                        Map.of(
                                "aws.region", "eu-west-1",
                                "sagemaker.endpoint-name", "reviews",
                                "sagemaker.output-path", "s3://b/out",
                                "sagemaker.failure-path", "s3://b/failed"));
        String endpoint = filled.substring(0, filled.indexOf("WATCH("));
        String watch = filled.substring(filled.indexOf("WATCH("));

        assertThat(watch)
                .contains("'sagemaker.output-path' = 's3://b/out'")
                .contains("'sagemaker.failure-path' = 's3://b/failed'")
                .contains("'aws.region' = 'eu-west-1'")
                .doesNotContain("sagemaker.endpoint-name");
        assertThat(endpoint)
                .contains("'sagemaker.endpoint-name' = 'reviews'")
                .doesNotContain("sagemaker.output-path")
                .doesNotContain("sagemaker.failure-path");
    }

    @Test
    void theFormerPathKeysStillGoToTheResultsTable() {
        String filled =
                SqlScriptRunner.fill(
                        SCRIPT,
                        Map.of(
                                "sagemaker.endpoint-name", "reviews",
                                "sagemaker.watch.output-prefix", "s3://b/out"));
        assertThat(filled.substring(filled.indexOf("WATCH(")))
                .contains("'sagemaker.watch.output-prefix' = 's3://b/out'");
        assertThat(filled.substring(0, filled.indexOf("WATCH("))).doesNotContain("output-prefix");
    }
}
