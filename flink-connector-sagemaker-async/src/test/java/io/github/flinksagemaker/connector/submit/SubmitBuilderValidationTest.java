package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions.InputEncryption;

import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every missing or invalid option fails {@code build()} with a message naming the option. */
class SubmitBuilderValidationTest {
    private static final ConfigOptionsHolder KEYS = new ConfigOptionsHolder();

    private static SageMakerAsyncSubmitFunction.Builder<String, String> valid() {
        return SageMakerAsyncSubmitFunction.<String>builder()
                .endpointName("my-endpoint")
                .region("eu-west-1")
                .serializer(s -> SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aValidConfigurationBuilds() {
        SubmitConfig config =
                valid().s3InputPrefix("s3://bucket/in")
                        .requestTtl(Duration.ofMinutes(10))
                        .invocationTimeout(Duration.ofMinutes(1))
                        .set(SubmitOptions.OUTPUT_PATH_EXTENSION, "results/{yyyy}/{MM}/{dd}/{HH}")
                        .build()
                        .config();
        assertThat(config.endpointName()).isEqualTo("my-endpoint");
        assertThat(config.inputPrefix().toString()).isEqualTo("s3://bucket/in");
        assertThat(config.requestTtlSeconds()).isEqualTo(600);
        assertThat(config.invocationTimeoutSeconds()).isEqualTo(60);
        assertThat(config.outputPathExtension(0L)).isEqualTo("results/1970/01/01/00");
    }

    static Stream<Arguments> invalidOptions() {
        return Stream.of(
                invalid("sagemaker.endpoint-name", b -> b.set(SubmitOptions.ENDPOINT_NAME, " ")),
                invalid("sagemaker.endpoint-name", b -> b.endpointName("ends-with-")),
                invalid("sagemaker.endpoint-name", b -> b.endpointName("x".repeat(64))),
                invalid("aws.region", b -> b.region("")),
                invalid("aws.region", b -> b.region("moon-base-1x")),
                invalid("aws.endpoint", b -> b.set(AwsConfigOptions.AWS_ENDPOINT, "localhost:80")),
                invalid("aws.s3.endpoint", b -> b.set(AwsConfigOptions.AWS_S3_ENDPOINT, "ftp://x")),
                invalid(
                        "aws.http-client.max-concurrency",
                        b -> b.set(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY, 0)),
                invalid(
                        "aws.credentials.provider",
                        b -> b.set(KEYS.string("aws.credentials.provider"), "MAGIC")),
                invalid(
                        "aws.credentials.provider.basic.accesskeyid",
                        b -> b.set(KEYS.string("aws.credentials.provider"), "BASIC")),
                invalid(
                        "aws.credentials.provider.basic.secretkey",
                        b ->
                                b.set(KEYS.string("aws.credentials.provider"), "BASIC")
                                        .set(
                                                KEYS.string(
                                                        "aws.credentials.provider.basic.accesskeyid"),
                                                "AKID")),
                invalid(
                        "aws.credentials.provider.role.arn",
                        b -> b.set(KEYS.string("aws.credentials.provider"), "ASSUME_ROLE")),
                invalid(
                        "aws.credentials.provider.role.provider.basic.accesskeyid",
                        b ->
                                b.set(KEYS.string("aws.credentials.provider"), "ASSUME_ROLE")
                                        .set(
                                                KEYS.string("aws.credentials.provider.role.arn"),
                                                "arn:aws:iam::1:role/r")
                                        .set(
                                                KEYS.string(
                                                        "aws.credentials.provider.role.sessionName"),
                                                "s")
                                        .set(
                                                KEYS.string(
                                                        "aws.credentials.provider.role.provider"),
                                                "BASIC")),
                invalid(
                        "aws.credentials.provider.custom.class",
                        b -> b.set(KEYS.string("aws.credentials.provider"), "CUSTOM")),
                invalid(
                        "aws.trust.all.certificates",
                        b -> b.set(KEYS.string("aws.trust.all.certificates"), "maybe")),
                invalid("sagemaker.inline-limit", b -> b.inlineLimit(128_001)),
                invalid("sagemaker.inline-limit", b -> b.inlineLimit(-1)),
                invalid(
                        "sagemaker.inline-limit",
                        // k counts 1024: 128 kb is over the service's 128,000 bytes.
                        b -> b.set(KEYS.string("sagemaker.inline-limit"), "128 kb")),
                invalid("sagemaker.s3.input-prefix", b -> b.s3InputPrefix("bucket/in")),
                invalid("sagemaker.s3.input-prefix", b -> b.s3InputPrefix("s3:///in")),
                invalid(
                        "sagemaker.s3.input-kms-key-id",
                        b ->
                                b.set(SubmitOptions.S3_INPUT_KMS_KEY_ID, "key")
                                        .set(
                                                SubmitOptions.S3_INPUT_ENCRYPTION,
                                                InputEncryption.SSE_S3)),
                invalid("sagemaker.request-ttl", b -> b.requestTtl(Duration.ofSeconds(59))),
                invalid("sagemaker.request-ttl", b -> b.requestTtl(Duration.ofHours(7))),
                invalid("sagemaker.request-ttl", b -> b.requestTtl(Duration.ofMillis(60_500))),
                invalid("sagemaker.invocation-timeout", b -> b.invocationTimeout(Duration.ZERO)),
                invalid(
                        "sagemaker.invocation-timeout",
                        b -> b.invocationTimeout(Duration.ofSeconds(3_601))),
                invalid("sagemaker.content-type", b -> b.contentType("ü")),
                invalid("sagemaker.accept", b -> b.accept("a".repeat(1025))),
                invalid(
                        "sagemaker.custom-attributes",
                        b -> b.set(SubmitOptions.CUSTOM_ATTRIBUTES, "c".repeat(1025))),
                invalid(
                        "sagemaker.output-path-extension",
                        b -> b.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "s3:/x")),
                invalid(
                        "sagemaker.output-path-extension",
                        b -> b.set(SubmitOptions.OUTPUT_PATH_EXTENSION, "has space")),
                invalid("sagemaker.submit.capacity", b -> b.capacity(0)),
                invalid("sagemaker.submit.timeout", b -> b.submitTimeout(Duration.ZERO)),
                invalid(
                        "sagemaker.retry.max-attempts",
                        b -> b.set(SubmitOptions.RETRY_MAX_ATTEMPTS, 0)),
                invalid(
                        "sagemaker.retry.base-delay",
                        b -> b.set(SubmitOptions.RETRY_BASE_DELAY, Duration.ZERO)),
                invalid(
                        "sagemaker.retry.max-delay",
                        b -> b.set(SubmitOptions.RETRY_MAX_DELAY, Duration.ofMillis(1))),
                invalid(
                        "sagemaker.result.deadline-grace",
                        b -> b.set(SubmitOptions.RESULT_GRACE, Duration.ofSeconds(-1))));
    }

    private static Arguments invalid(
            String option,
            UnaryOperator<SageMakerAsyncSubmitFunction.Builder<String, String>> change) {
        return Arguments.of(option, change);
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("invalidOptions")
    void anInvalidOptionIsNamed(
            String option,
            UnaryOperator<SageMakerAsyncSubmitFunction.Builder<String, String>> change) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + option + "'");
    }

    @Test
    void theInlineLimitIsASizeAndAPlainNumberIsBytes() {
        assertThat(valid().build().config().inlineLimit()).isEqualTo(128_000);
        assertThat(
                        valid().set(KEYS.string("sagemaker.inline-limit"), "1000")
                                .build()
                                .config()
                                .inlineLimit())
                .isEqualTo(1000);
        assertThat(
                        valid().set(KEYS.string("sagemaker.inline-limit"), "125 kb")
                                .build()
                                .config()
                                .inlineLimit())
                .isEqualTo(128_000);
        assertThat(valid().inlineLimit(MemorySize.ofMebiBytes(0)).build().config().inlineLimit())
                .isZero();
        assertThat(valid().inlineLimit(512).build().config().inlineLimit()).isEqualTo(512);
    }

    @Test
    void httpConcurrencyBelowTheSubmitCapacityIsRaisedToIt() {
        SubmitConfig raised =
                valid().set(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY, 4)
                        .set(SubmitOptions.CAPACITY, 64)
                        .build()
                        .config();
        assertThat(raised.configuration().get(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY))
                .isEqualTo(64);

        SubmitConfig kept =
                valid().set(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY, 100)
                        .set(SubmitOptions.CAPACITY, 64)
                        .build()
                        .config();
        assertThat(kept.configuration().get(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY))
                .isEqualTo(100);
    }

    @Test
    void anUnknownKeyGivenAsAStringIsRejectedWithTheClosestKnownOne() {
        assertThatThrownBy(() -> valid().set(KEYS.string("sagemaker.sumbit.capacity"), "8").build())
                .hasMessageContaining("Unknown option 'sagemaker.sumbit.capacity'")
                .hasMessageContaining("Did you mean 'sagemaker.submit.capacity'?");
        assertThatThrownBy(() -> valid().set(KEYS.string("aws.regoin"), "x").build())
                .hasMessageContaining("Did you mean 'aws.region'?");
    }

    @Test
    void credentialsSubKeysAndOtherPrefixesAreNotChecked() {
        assertThat(
                        valid().set(KEYS.string("aws.credentials.provider.profile.name"), "dev")
                                .set(KEYS.string("pipeline.name"), "not ours")
                                .set(KEYS.string("sagemaker.watch.lookback"), "1 min")
                                .build()
                                .config()
                                .endpointName())
                .isEqualTo("my-endpoint");
    }

    /**
     * DataStream options are spelt as flink-connector-aws-base's AWSConfigConstants; a key spelt as
     * Flink's SQL tables spell it is refused, naming the DataStream key to use instead.
     */
    @Test
    void theSqlSpellingOfACredentialsKeyNamesItsDataStreamSpelling() {
        assertThatThrownBy(
                        () ->
                                valid().set(KEYS.string("aws.credentials.basic.accesskeyid"), "A")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "Option 'aws.credentials.basic.accesskeyid' is spelt as in Flink's SQL"
                                + " tables")
                .hasMessageContaining("'aws.credentials.provider.basic.accesskeyid'");
    }

    @Test
    void customCredentialsAndTrustAllCertificatesAreDataStreamOptionsToo() {
        assertThat(
                        valid().set(KEYS.string("aws.credentials.provider"), "CUSTOM")
                                .set(
                                        KEYS.string("aws.credentials.provider.custom.class"),
                                        "com.example.Provider")
                                .set(AwsConfigOptions.TRUST_ALL_CERTIFICATES, true)
                                .build()
                                .config()
                                .configuration()
                                .get(AwsConfigOptions.TRUST_ALL_CERTIFICATES))
                .isTrue();
    }

    @Test
    void aMissingEndpointNameIsNamed() {
        assertThatThrownBy(
                        () ->
                                SageMakerAsyncSubmitFunction.<String>builder()
                                        .region("eu-west-1")
                                        .serializer(s -> SerializedRequest.of(new byte[0]))
                                        .build())
                .hasMessage("Option 'sagemaker.endpoint-name' is required");
    }

    @Test
    void aMissingRegionIsNamed() {
        assertThatThrownBy(
                        () ->
                                SageMakerAsyncSubmitFunction.<String>builder()
                                        .endpointName("e")
                                        .serializer(s -> SerializedRequest.of(new byte[0]))
                                        .build())
                .hasMessageContaining("Option 'aws.region' is required");
    }

    @Test
    void anUnknownCredentialsProviderListsTheAllowedValues() {
        assertThatThrownBy(
                        () -> valid().set(KEYS.string("aws.credentials.provider"), "MAGIC").build())
                .hasMessageContaining("AUTO, BASIC, ENV_VAR, SYS_PROP, PROFILE, ASSUME_ROLE");
    }

    @Test
    void aMissingSerializerIsNamed() {
        assertThatThrownBy(
                        () ->
                                SageMakerAsyncSubmitFunction.<String>builder()
                                        .endpointName("e")
                                        .region("eu-west-1")
                                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RequestSerializer");
    }

    @Test
    void customAttributesAreNeverEchoedInErrors() {
        String secret = "token=" + "s".repeat(1100);
        assertThatThrownBy(() -> valid().set(SubmitOptions.CUSTOM_ATTRIBUTES, secret).build())
                .hasMessageNotContaining("token=");
    }

    /** String-typed views of keys, as a properties file or SQL WITH clause would give them. */
    private static final class ConfigOptionsHolder {
        org.apache.flink.configuration.ConfigOption<String> string(String key) {
            return ConfigOptions.key(key).stringType().noDefaultValue();
        }
    }
}
