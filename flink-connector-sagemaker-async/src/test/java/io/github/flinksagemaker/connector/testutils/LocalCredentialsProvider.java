package io.github.flinksagemaker.connector.testutils;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A CUSTOM credentials provider, as a user's job would bring one: built by the connector from its
 * class name with the public no-arg constructor, it answers with the credentials a test gave to
 * {@link #use} (the MiniCluster runs in the test's JVM), and counts its answers.
 */
public final class LocalCredentialsProvider implements AwsCredentialsProvider {
    private static volatile AwsCredentials credentials;
    private static final AtomicLong RESOLVED = new AtomicLong();

    public static void use(String accessKeyId, String secretAccessKey) {
        credentials = AwsBasicCredentials.create(accessKeyId, secretAccessKey);
    }

    /** How often any instance answered. */
    public static long resolved() {
        return RESOLVED.get();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        RESOLVED.incrementAndGet();
        return credentials;
    }
}
