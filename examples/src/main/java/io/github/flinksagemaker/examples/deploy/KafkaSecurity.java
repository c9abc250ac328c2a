package io.github.flinksagemaker.examples.deploy;

/**
 * How the application authenticates to Kafka, as property {@code security} of the {@code Source}
 * and {@code Sink} groups. MSK serves each on its own port: 9092 none, 9094 TLS, 9096 SASL/SCRAM,
 * 9098 IAM.
 */
enum KafkaSecurity {
    /** Plain text, no authentication (a local or test broker). */
    NONE,
    /** TLS, and mutual TLS when {@code kafka.ssl.keystore.*} are given. */
    TLS,
    /** SASL/SCRAM-SHA-512 over TLS with {@code sasl.username} and {@code sasl.password}. */
    SASL_SCRAM,
    /** MSK IAM over TLS with the application's own role (aws-msk-iam-auth). */
    MSK_IAM
}
