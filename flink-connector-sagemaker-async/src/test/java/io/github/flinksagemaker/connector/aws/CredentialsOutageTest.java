package io.github.flinksagemaker.connector.aws;

import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A client without credentials for a moment is retried; one without them for longer than the bound
 * fails the job with advice; an answer of the service ends the outage.
 */
class CredentialsOutageTest {
    private final AtomicLong now = new AtomicLong(1_000_000L);
    private final CredentialsOutage interceptor =
            new CredentialsOutage(Duration.ofMinutes(2), now::get);

    private static SdkClientException providerDidNotAnswer() {
        return SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain");
    }

    @Test
    void aProviderThatDoesNotAnswerForAMomentIsRetriedNotFatal() {
        Throwable first = interceptor.onFailure(providerDidNotAnswer());
        now.addAndGet(Duration.ofSeconds(119).toMillis());
        Throwable later = interceptor.onFailure(providerDidNotAnswer());

        assertThat(AwsErrors.classify(first)).isEqualTo(AwsErrorKind.CREDENTIALS_UNAVAILABLE);
        assertThat(AwsErrors.classify(later)).isEqualTo(AwsErrorKind.CREDENTIALS_UNAVAILABLE);
        assertThat(FatalAwsException.advice(AwsErrors.classify(later))).isNull();
    }

    @Test
    void credentialsUnavailableForLongerThanTheBoundAreFatalWithAdvice() {
        interceptor.onFailure(providerDidNotAnswer());
        now.addAndGet(Duration.ofMinutes(2).toMillis());
        Throwable last = interceptor.onFailure(S3Errors.of(400, "ExpiredToken"));

        assertThat(last).isInstanceOf(CredentialsOutageException.class);
        assertThat(last.getMessage()).contains("120 s").contains("ExpiredToken");
        assertThat(AwsErrors.classify(last)).isEqualTo(AwsErrorKind.CREDENTIALS);
        assertThat(FatalAwsException.advice(AwsErrors.classify(last)))
                .contains("aws.credentials.provider");
    }

    @Test
    void credentialsTheServiceRefusesAreLeftAsTheyAre() {
        Throwable refused = S3Errors.of(403, "InvalidAccessKeyId");
        assertThat(interceptor.onFailure(refused)).isSameAs(refused);
        assertThat(AwsErrors.classify(refused)).isEqualTo(AwsErrorKind.CREDENTIALS);
    }

    @Test
    void anAnswerThatIsNotAnErrorEndsTheOutage() {
        interceptor.onFailure(providerDidNotAnswer());
        now.addAndGet(Duration.ofSeconds(100).toMillis());
        interceptor.onAnswer(200);
        now.addAndGet(Duration.ofSeconds(100).toMillis());

        assertThat(AwsErrors.classify(interceptor.onFailure(providerDidNotAnswer())))
                .isEqualTo(AwsErrorKind.CREDENTIALS_UNAVAILABLE);
    }

    /**
     * The SDK asks the provider before the request's interceptors run, so the provider itself is
     * watched: a real client whose provider keeps failing fails its calls as fatal after the bound.
     */
    @Test
    void aRealClientWhoseProviderKeepsFailingFailsAsFatalAfterTheBound() {
        AwsCredentialsProvider failing =
                () -> {
                    throw providerDidNotAnswer();
                };
        try (S3AsyncClient client =
                S3AsyncClient.builder()
                        .region(Region.US_EAST_1)
                        .endpointOverride(URI.create("http://127.0.0.1:9"))
                        .credentialsProvider(interceptor.watch(failing))
                        .overrideConfiguration(
                                o -> o.addExecutionInterceptor(interceptor.interceptor()))
                        .build()) {
            Throwable first = catchThrowable(() -> client.headBucket(b -> b.bucket("b")).join());
            assertThat(AwsErrors.classify(first)).isEqualTo(AwsErrorKind.CREDENTIALS_UNAVAILABLE);

            now.addAndGet(Duration.ofMinutes(2).toMillis());
            Throwable later = catchThrowable(() -> client.headBucket(b -> b.bucket("b")).join());
            assertThat(AwsErrors.classify(later)).isEqualTo(AwsErrorKind.CREDENTIALS);
            assertThat(AwsErrors.unwrap(later)).isInstanceOf(CredentialsOutageException.class);
        }
    }

    @Test
    void aFailingProviderIsAskedAtMostEveryFewHundredMillisecondsUntilItAnswers() {
        AtomicInteger asked = new AtomicInteger();
        AtomicBoolean answers = new AtomicBoolean();
        AwsCredentialsProvider provider =
                interceptor.watch(
                        () -> {
                            asked.incrementAndGet();
                            if (!answers.get()) {
                                throw providerDidNotAnswer();
                            }
                            return AwsBasicCredentials.create("id", "secret");
                        });

        for (int call = 0; call < 1_000; call++) {
            assertThat(catchThrowable(provider::resolveCredentials))
                    .hasMessageContaining("Unable to load credentials");
        }
        assertThat(asked).hasValue(1);

        answers.set(true);
        now.addAndGet(CredentialsOutage.MIN_ASK_INTERVAL_MILLIS);
        assertThat(provider.resolveCredentials().accessKeyId()).isEqualTo("id");
        provider.resolveCredentials();
        assertThat(asked).hasValue(3);
    }

    @Test
    void aProviderThatRecoveredStartsANewOutageWhenItFailsAgain() {
        AtomicBoolean answers = new AtomicBoolean();
        AwsCredentialsProvider provider =
                interceptor.watch(
                        () -> {
                            if (!answers.get()) {
                                throw providerDidNotAnswer();
                            }
                            return AwsBasicCredentials.create("id", "secret");
                        });
        catchThrowable(provider::resolveCredentials);
        now.addAndGet(1_000);
        answers.set(true);
        provider.resolveCredentials();

        // Credentials were there; the service only throttled (no answer below 400) since.
        now.addAndGet(Duration.ofMinutes(3).toMillis());
        answers.set(false);
        Throwable later = catchThrowable(provider::resolveCredentials);

        assertThat(AwsErrors.classify(later)).isEqualTo(AwsErrorKind.CREDENTIALS_UNAVAILABLE);
    }
}
