package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;
import java.util.List;

/**
 * The {@code aws.*} options, with the keys of Flink's AWS connectors, so users move between
 * connectors without relearning them. Credentials sub-keys are spelt as in
 * flink-connector-aws-base's {@code AWSConfigConstants} (the DataStream spelling): they hang off
 * {@code aws.credentials.provider}; for ASSUME_ROLE the provider that assumes the role is
 * configured under {@code aws.credentials.provider.role.provider} with the same sub-keys below it.
 * SQL also takes the spelling of Flink's AWS tables, without {@code provider.} ({@link
 * TableAwsOptions}).
 */
@PublicEvolving
public final class AwsConfigOptions {
    public static final String CREDENTIALS_PROVIDER_PREFIX = "aws.credentials.provider";

    public static final ConfigOption<String> AWS_REGION =
            ConfigOptions.key("aws.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The AWS region of the endpoint and buckets, e.g. us-east-1."
                                    + " Required.");

    public static final ConfigOption<String> AWS_ENDPOINT =
            ConfigOptions.key("aws.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Overrides the SageMaker Runtime endpoint URL, e.g. for the local"
                                    + " endpoint or a VPC endpoint. Default: derived from the"
                                    + " region.");

    public static final ConfigOption<String> AWS_S3_ENDPOINT =
            ConfigOptions.key("aws.s3.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Overrides the S3 endpoint URL, e.g. for an S3-compatible store."
                                    + " Default: derived from the region.");

    public static final ConfigOption<String> AWS_SQS_ENDPOINT =
            ConfigOptions.key("aws.sqs.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Overrides the SQS endpoint URL (completion mode SQS), e.g. for the"
                                    + " local endpoint or a VPC endpoint. Default: derived from"
                                    + " the region.");

    public static final ConfigOption<Boolean> AWS_S3_PATH_STYLE_ACCESS =
            ConfigOptions.key("aws.s3.path-style-access")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Use path-style S3 URLs (host/bucket/key). S3-compatible stores"
                                    + " such as s3proxy or MinIO usually need this.");

    public static final ConfigOption<S3ChecksumMode> AWS_S3_CHECKSUM_MODE =
            ConfigOptions.key("aws.s3.checksum-mode")
                    .enumType(S3ChecksumMode.class)
                    .defaultValue(S3ChecksumMode.WHEN_SUPPORTED)
                    .withDescription(
                            "When the S3 client calculates request checksums and validates"
                                    + " response checksums. WHEN_SUPPORTED is the SDK default for"
                                    + " real S3; WHEN_REQUIRED for stores that reject aws-chunked"
                                    + " uploads (s3proxy).");

    public static final ConfigOption<CredentialsProviderType> AWS_CREDENTIALS_PROVIDER =
            ConfigOptions.key(CREDENTIALS_PROVIDER_PREFIX)
                    .enumType(CredentialsProviderType.class)
                    .defaultValue(CredentialsProviderType.AUTO)
                    .withDescription("How to obtain AWS credentials.");

    public static final ConfigOption<Boolean> TRUST_ALL_CERTIFICATES =
            ConfigOptions.key("aws.trust.all.certificates")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Accept any TLS certificate from the SageMaker Runtime, S3 and SQS"
                                    + " endpoints, e.g. a self-signed one of a local stand-in."
                                    + " For tests only: it turns off the check that the endpoint"
                                    + " is who it claims to be.");

    public static final ConfigOption<Integer> HTTP_CLIENT_MAX_CONCURRENCY =
            ConfigOptions.key("aws.http-client.max-concurrency")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Maximum concurrent requests (connections) of each async HTTP"
                                    + " client. Default: the operator's in-flight capacity, so"
                                    + " the SDK's default of 50 never queues requests.");

    public static final ConfigOption<Duration> HTTP_CLIENT_READ_TIMEOUT =
            ConfigOptions.key("aws.http-client.read-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Read timeout of each HTTP request.");

    private AwsConfigOptions() {}

    /** The key of a credentials sub-option below a provider prefix. */
    public static String credentialsKey(String providerPrefix, String suffix) {
        return providerPrefix + "." + suffix;
    }

    /** Suffixes of the credentials sub-options, relative to a provider prefix. */
    public static final String BASIC_ACCESS_KEY_ID = "basic.accesskeyid";

    public static final String BASIC_SECRET_KEY = "basic.secretkey";
    public static final String PROFILE_NAME = "profile.name";
    public static final String PROFILE_PATH = "profile.path";
    public static final String ROLE_ARN = "role.arn";
    public static final String ROLE_SESSION_NAME = "role.sessionName";
    public static final String ROLE_EXTERNAL_ID = "role.externalId";
    public static final String ROLE_PROVIDER = "role.provider";
    public static final String ROLE_STS_ENDPOINT = "role.stsEndpoint";
    public static final String WEB_IDENTITY_TOKEN_FILE = "webIdentityToken.file";
    public static final String CUSTOM_CLASS = "custom.class";

    /** Every suffix above, in AWSConfigConstants' order. */
    public static final List<String> CREDENTIALS_SUFFIXES =
            List.of(
                    BASIC_ACCESS_KEY_ID,
                    BASIC_SECRET_KEY,
                    PROFILE_PATH,
                    PROFILE_NAME,
                    ROLE_STS_ENDPOINT,
                    CUSTOM_CLASS,
                    ROLE_ARN,
                    ROLE_SESSION_NAME,
                    ROLE_EXTERNAL_ID,
                    WEB_IDENTITY_TOKEN_FILE,
                    ROLE_PROVIDER);

    /** Values of {@link #AWS_S3_CHECKSUM_MODE}. */
    @PublicEvolving
    public enum S3ChecksumMode {
        WHEN_SUPPORTED,
        WHEN_REQUIRED
    }
}
