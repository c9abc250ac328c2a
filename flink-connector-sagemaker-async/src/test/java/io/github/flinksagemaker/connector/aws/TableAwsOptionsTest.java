package io.github.flinksagemaker.connector.aws;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SQL spelling of Flink's AWS tables becomes the DataStream spelling; both work in SQL. */
class TableAwsOptionsTest {

    @Test
    void theSqlSpellingAloneBecomesTheDataStreamSpelling() {
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of(
                                        "aws.credentials.provider", "ASSUME_ROLE",
                                        "aws.credentials.role.arn", "arn:aws:iam::1:role/r",
                                        "aws.credentials.role.sessionName", "s",
                                        "aws.credentials.role.provider", "BASIC",
                                        "aws.credentials.role.provider.basic.accesskeyid", "AKID",
                                        "aws.credentials.custom.class", "com.example.Provider",
                                        "aws.trust.all.certificates", "true",
                                        "sagemaker.endpoint-name", "e")))
                .isEqualTo(
                        Map.of(
                                "aws.credentials.provider", "ASSUME_ROLE",
                                "aws.credentials.provider.role.arn", "arn:aws:iam::1:role/r",
                                "aws.credentials.provider.role.sessionName", "s",
                                "aws.credentials.provider.role.provider", "BASIC",
                                "aws.credentials.provider.role.provider.basic.accesskeyid", "AKID",
                                "aws.credentials.provider.custom.class", "com.example.Provider",
                                "aws.trust.all.certificates", "true",
                                "sagemaker.endpoint-name", "e"));
    }

    @Test
    void theDataStreamSpellingAloneIsKept() {
        Map<String, String> options =
                Map.of(
                        "aws.credentials.provider", "BASIC",
                        "aws.credentials.provider.basic.accesskeyid", "AKID",
                        "aws.credentials.provider.basic.secretkey", "SECRET",
                        // Free-form below the DataStream prefix, as before.
                        "aws.credentials.provider.role.externalid", "x");
        assertThat(TableAwsOptions.toDataStreamSpelling(options)).isEqualTo(options);
    }

    @Test
    void bothSpellingsWithOneValueAreOneOption() {
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of(
                                        "aws.credentials.basic.secretkey", "SECRET",
                                        "aws.credentials.provider.basic.secretkey", "SECRET ")))
                .containsOnlyKeys("aws.credentials.provider.basic.secretkey");
    }

    @Test
    void bothSpellingsWithDifferentValuesAreRefusedNamingBothKeysAndNoValue() {
        assertThatThrownBy(
                        () ->
                                TableAwsOptions.toDataStreamSpelling(
                                        Map.of(
                                                "aws.credentials.provider.basic.secretkey",
                                                "OLD-SECRET",
                                                "aws.credentials.basic.secretkey",
                                                "NEW-SECRET")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Options 'aws.credentials.basic.secretkey' and"
                                + " 'aws.credentials.provider.basic.secretkey' are one option in"
                                + " two spellings")
                .hasMessageContaining("set only 'aws.credentials.basic.secretkey'")
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void anUnknownSqlSpeltKeyNamesTheClosestKnownOne() {
        assertThatThrownBy(
                        () ->
                                TableAwsOptions.toDataStreamSpelling(
                                        Map.of("aws.credentials.role.sessionname", "s")))
                .hasMessageContaining("Unknown option 'aws.credentials.role.sessionname'")
                .hasMessageContaining("Did you mean 'aws.credentials.role.sessionName'");
        assertThatThrownBy(
                        () ->
                                TableAwsOptions.toDataStreamSpelling(
                                        Map.of("aws.credentials.role.provider.basic.key", "k")))
                .hasMessageContaining("Unknown option 'aws.credentials.role.provider.basic.key'");
    }

    @Test
    void sqlSpeltBasicKeysWithoutAProviderMeanBasicAsInFlinksAwsTables() {
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of(
                                        "aws.credentials.basic.accesskeyid", "AKID",
                                        "aws.credentials.basic.secretkey", "SECRET")))
                .containsEntry("aws.credentials.provider", "BASIC");
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of(
                                        "aws.credentials.provider", "ASSUME_ROLE",
                                        "aws.credentials.role.provider.basic.accesskeyid", "AKID",
                                        "aws.credentials.role.provider.basic.secretkey", "S")))
                .containsEntry("aws.credentials.provider", "ASSUME_ROLE")
                .containsEntry("aws.credentials.provider.role.provider", "BASIC");
    }

    @Test
    void anExplicitProviderOrTheDataStreamSpellingIsNotOverridden() {
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of(
                                        "aws.credentials.provider", "AUTO",
                                        "aws.credentials.basic.accesskeyid", "AKID",
                                        "aws.credentials.basic.secretkey", "SECRET")))
                .containsEntry("aws.credentials.provider", "AUTO");
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of(
                                        "aws.credentials.provider.basic.accesskeyid", "AKID",
                                        "aws.credentials.provider.basic.secretkey", "SECRET")))
                .as("the DataStream spelling keeps its default, AUTO, as before")
                .doesNotContainKey("aws.credentials.provider");
        assertThat(
                        TableAwsOptions.toDataStreamSpelling(
                                Map.of("aws.credentials.basic.accesskeyid", "AKID")))
                .as("only with both keys")
                .doesNotContainKey("aws.credentials.provider");
    }

    @Test
    void translatingTwiceChangesNothing() {
        Map<String, String> once =
                TableAwsOptions.toDataStreamSpelling(
                        Map.of("aws.credentials.webIdentityToken.file", "/token"));
        assertThat(TableAwsOptions.toDataStreamSpelling(once))
                .isEqualTo(once)
                .containsOnlyKeys("aws.credentials.provider.webIdentityToken.file");
    }
}
