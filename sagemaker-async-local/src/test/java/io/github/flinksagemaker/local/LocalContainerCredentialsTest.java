package io.github.flinksagemaker.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stand-in as the SDK's own container credentials provider reads it. */
class LocalContainerCredentialsTest {
    private static final String FULL_URI = "aws.containerCredentialsFullUri";

    private LocalContainerCredentials credentials;
    private String uriBefore;

    @BeforeEach
    void start() throws Exception {
        credentials = LocalContainerCredentials.start("local-key-id", "local-secret");
        uriBefore = System.setProperty(FULL_URI, credentials.uri().toString());
    }

    @AfterEach
    void stop() {
        if (uriBefore == null) {
            System.clearProperty(FULL_URI);
        } else {
            System.setProperty(FULL_URI, uriBefore);
        }
        credentials.close();
    }

    private static AwsCredentials resolve() {
        // A new provider each time: a provider caches what it got until shortly before expiry.
        try (ContainerCredentialsProvider provider =
                ContainerCredentialsProvider.builder().build()) {
            return provider.resolveCredentials();
        }
    }

    @Test
    void theSdkReadsSessionCredentialsThatExpireHoursAhead() {
        AwsCredentials resolved = resolve();

        assertThat(resolved).isInstanceOf(AwsSessionCredentials.class);
        AwsSessionCredentials session = (AwsSessionCredentials) resolved;
        assertThat(session.accessKeyId()).isEqualTo("local-key-id");
        assertThat(session.secretAccessKey()).isEqualTo("local-secret");
        assertThat(session.sessionToken()).isEqualTo(LocalContainerCredentials.SESSION_TOKEN);
        assertThat(session.expirationTime())
                .hasValueSatisfying(
                        expiry ->
                                assertThat(expiry)
                                        .isAfter(Instant.now().plus(Duration.ofHours(5))));
        assertThat(credentials.served()).isEqualTo(1);
        assertThat(credentials.refused()).isZero();
    }

    @Test
    void whileUnavailableEveryRequestIsRefusedAndCountedThenCredentialsAreServedAgain()
            throws Exception {
        Duration window = Duration.ofMillis(500);
        long start = System.nanoTime();
        credentials.unavailableFor(window);

        assertThatThrownBy(LocalContainerCredentialsTest::resolve)
                .isInstanceOf(SdkClientException.class);
        assertThat(credentials.refused())
                .as("the first request and the SDK's own retries of it")
                .isGreaterThan(1);
        assertThat(credentials.served()).isZero();

        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        Thread.sleep(Math.max(0, window.toMillis() - elapsedMillis) + 50);
        assertThat(resolve().accessKeyId()).isEqualTo("local-key-id");
        assertThat(credentials.served()).isEqualTo(1);
    }
}
