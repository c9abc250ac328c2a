package io.github.flinksagemaker.connector.config;

import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Options renamed so that one concept has one name everywhere keep their former names for a
 * release: a configuration that uses only the former name configures the same thing.
 */
class RenamedOptionsTest {

    static Stream<Arguments> renamed() {
        return Stream.of(
                Arguments.of("sagemaker.watch.output-prefix", WatchOptions.OUTPUT_PATH),
                Arguments.of("sagemaker.watch.failure-prefix", WatchOptions.FAILURE_PATH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renamed")
    void theFormerKeyAloneSetsTheOption(String formerKey, ConfigOption<String> option) {
        assertThat(StreamSupport.stream(option.fallbackKeys().spliterator(), false))
                .as("a deprecated key of %s", option.key())
                .anyMatch(key -> key.getKey().equals(formerKey) && key.isDeprecated());
        Configuration former = Configuration.fromMap(Map.of(formerKey, "s3://b/former"));
        assertThat(former.get(option)).isEqualTo("s3://b/former");
        ConnectorOptions.rejectUnknownKeys(former);
    }

    @Test
    void theWatchSourceListsTheSamePathsUnderTheFormerKeys() {
        WatchConfig current =
                WatchConfig.from(
                        Configuration.fromMap(
                                Map.of(
                                        "aws.region", "eu-west-1",
                                        "sagemaker.output-path", "s3://b/out",
                                        "sagemaker.failure-path", "s3://b/failed")));
        WatchConfig former =
                WatchConfig.from(
                        Configuration.fromMap(
                                Map.of(
                                        "aws.region", "eu-west-1",
                                        "sagemaker.watch.output-prefix", "s3://b/out",
                                        "sagemaker.watch.failure-prefix", "s3://b/failed")));
        assertThat(former.prefixes()).isEqualTo(current.prefixes()).hasSize(2);
    }

    @Test
    void theSubmitSideKnowsTheOutputPathUnderTheFormerKey() {
        SubmitConfig former =
                SubmitConfig.from(
                        Configuration.fromMap(
                                Map.of(
                                        "aws.region", "eu-west-1",
                                        "sagemaker.endpoint-name", "e",
                                        "sagemaker.watch.output-prefix", "s3://b/out")));
        assertThat(former.expectedOutputLocation("id-1", 0L)).startsWith("s3://b/out/");
    }

    @Test
    void anInvalidValueUnderTheFormerKeyIsNamedAsWritten() {
        assertThatThrownBy(
                        () ->
                                WatchConfig.from(
                                        Configuration.fromMap(
                                                Map.of(
                                                        "aws.region", "eu-west-1",
                                                        "sagemaker.watch.output-prefix", "b/out"))))
                .hasMessageContaining("'sagemaker.watch.output-prefix'");
    }

    @Test
    void aTypoOfAFormerKeyIsPointedToTheCurrentOne() {
        assertThatThrownBy(
                        () ->
                                ConnectorOptions.rejectUnknownKeys(
                                        Configuration.fromMap(
                                                Map.of(
                                                        "sagemaker.watch.output-prefx",
                                                        "s3://b/out"))))
                .hasMessageContaining("Did you mean 'sagemaker.output-path'");
    }

    @Test
    void theNewKeyWinsOverTheFormerOne() {
        Configuration both =
                Configuration.fromMap(
                        Map.of(
                                "sagemaker.output-path", "s3://b/new",
                                "sagemaker.watch.output-prefix", "s3://b/old"));
        assertThat(both.get(WatchOptions.OUTPUT_PATH)).isEqualTo("s3://b/new");
    }

    @Test
    void everyDeprecatedKeyIsCovered() {
        assertThat(
                        ConnectorOptions.all().stream()
                                .filter(option -> option.key().startsWith("sagemaker."))
                                .flatMap(
                                        option ->
                                                StreamSupport.stream(
                                                        option.fallbackKeys().spliterator(), false))
                                .filter(FallbackKey::isDeprecated)
                                .map(FallbackKey::getKey))
                .containsExactlyInAnyOrderElementsOf(
                        renamed().map(arguments -> (String) arguments.get()[0]).toList());
    }
}
