package io.github.flinksagemaker.connector.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The options file may spell credentials keys either way, and its options win either way. */
class OptionsFileTest {
    private static final ClassLoader LOADER = OptionsFileTest.class.getClassLoader();

    @Test
    void theFilesSqlSpeltSecretWinsOverTheDataStreamSpeltOneOfTheOptions(@TempDir Path dir)
            throws IOException {
        Path file = dir.resolve("secret.properties");
        Files.writeString(
                file,
                "aws.credentials.basic.secretkey = FROM-FILE\n"
                        + "aws.credentials.role.externalId = EXTERNAL\n");

        Map<String, String> merged =
                OptionsFile.merge(
                        Map.of(
                                "sagemaker.options-file", file.toString(),
                                "aws.credentials.provider.basic.secretkey", "FROM-OPTIONS",
                                "aws.credentials.basic.accesskeyid", "AKID"),
                        LOADER);

        assertThat(merged)
                .containsEntry("aws.credentials.provider.basic.secretkey", "FROM-FILE")
                .containsEntry("aws.credentials.provider.role.externalId", "EXTERNAL")
                .containsEntry("aws.credentials.provider.basic.accesskeyid", "AKID")
                .doesNotContainKeys(
                        "aws.credentials.basic.secretkey", "aws.credentials.basic.accesskeyid");
    }

    @Test
    void keysInTheFileMeanBasicOnlyWhenNeitherNamesAProvider(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("keys.properties");
        Files.writeString(
                file,
                "aws.credentials.basic.accesskeyid = AKID\n"
                        + "aws.credentials.basic.secretkey = SECRET\n");

        assertThat(OptionsFile.merge(Map.of("sagemaker.options-file", file.toString()), LOADER))
                .containsEntry("aws.credentials.provider", "BASIC");
        assertThat(
                        OptionsFile.merge(
                                Map.of(
                                        "sagemaker.options-file",
                                        file.toString(),
                                        "aws.credentials.provider",
                                        "PROFILE"),
                                LOADER))
                .containsEntry("aws.credentials.provider", "PROFILE");
    }

    @Test
    void withoutAFileTheOptionsAreTranslatedAndCheckedToo() {
        assertThat(OptionsFile.merge(Map.of("aws.credentials.profile.name", "dev"), LOADER))
                .isEqualTo(Map.of("aws.credentials.provider.profile.name", "dev"));
        assertThatThrownBy(
                        () ->
                                OptionsFile.merge(
                                        Map.of(
                                                "aws.credentials.profile.name", "dev",
                                                "aws.credentials.provider.profile.name", "prod"),
                                        LOADER))
                .hasMessageContaining(
                        "Options 'aws.credentials.profile.name' and"
                                + " 'aws.credentials.provider.profile.name'");
    }
}
