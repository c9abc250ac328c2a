package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.PublicEvolving;

/** Values of {@code aws.credentials.provider}, as in the other Flink AWS connectors. */
@PublicEvolving
public enum CredentialsProviderType {
    /** The SDK's default chain: environment, system properties, web identity, profile, instance. */
    AUTO,
    /** {@code aws.credentials.provider.basic.accesskeyid} and {@code .basic.secretkey}. */
    BASIC,
    /** {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY} environment variables. */
    ENV_VAR,
    /** {@code aws.accessKeyId} / {@code aws.secretAccessKey} Java system properties. */
    SYS_PROP,
    /** A named profile ({@code .profile.name}), optionally from {@code .profile.path}. */
    PROFILE,
    /** STS AssumeRole with {@code .role.arn} and {@code .role.sessionName}. */
    ASSUME_ROLE,
    /** STS AssumeRoleWithWebIdentity with {@code .webIdentityToken.file}. */
    WEB_IDENTITY_TOKEN,
    /**
     * A class of the job's that implements the SDK's {@code AwsCredentialsProvider}, named by
     * {@code .custom.class}.
     */
    CUSTOM
}
