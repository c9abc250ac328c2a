package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Tells a moment without credentials from credentials that are gone, for one client. A provider
 * that does not answer (instance metadata, the container endpoint or STS, all asked at once by
 * every subtask after a failover) or a session token that expired is {@link
 * AwsErrorKind#CREDENTIALS_UNAVAILABLE}, retried by the caller; once a client has had no usable
 * credentials for {@link #MAX_OUTAGE}, counted from its first such failure and ended by any answer
 * of the service that is not an error, its failures become {@link CredentialsOutageException}s,
 * which fail the job with advice.
 *
 * <p>Both places a client meets such a failure report here: the provider, which the SDK asks before
 * a request is built, outside its interceptors ({@link #watch}), and the service's answer that a
 * token expired ({@link #interceptor}).
 *
 * <p>Two minutes: the SDK's providers retry within each call, and a refreshing provider fetches new
 * credentials well before the old ones expire, so a pause longer than several rounds of the slowest
 * backoff (20 s) is no longer a moment: waiting longer only hides a provider that cannot answer,
 * while every element waits for it.
 */
@Internal
public final class CredentialsOutage {
    public static final Duration MAX_OUTAGE = Duration.ofMinutes(2);

    private static final long NO_OUTAGE = Long.MIN_VALUE;

    static final long MIN_ASK_INTERVAL_MILLIS = 200;

    private final long maxOutageMillis;
    private final LongSupplier clock;

    /** Since when the provider keeps failing; ended by its next credentials or any answer. */
    private final AtomicLong providerFailingSince = new AtomicLong(NO_OUTAGE);

    /** Since when the service keeps saying the token expired; ended by an answer that is not. */
    private final AtomicLong tokenRefusedSince = new AtomicLong(NO_OUTAGE);

    public CredentialsOutage() {
        this(MAX_OUTAGE, System::currentTimeMillis);
    }

    @VisibleForTesting
    CredentialsOutage(Duration maxOutage, LongSupplier clock) {
        this.maxOutageMillis = maxOutage.toMillis();
        this.clock = clock;
    }

    /** {@code provider}, whose failures count toward this client's outage. */
    public AwsCredentialsProvider watch(AwsCredentialsProvider provider) {
        return new WatchedProvider(provider, this);
    }

    /** Reports the service's answers: an answer that is not an error ends the outage. */
    public ExecutionInterceptor interceptor() {
        return new Interceptor(this);
    }

    /** The error to report for {@code error}: itself, or the outage once it lasted too long. */
    @VisibleForTesting
    Throwable onFailure(Throwable error) {
        return onFailure(error, tokenRefusedSince);
    }

    /** A failure of the provider itself: its own clock, which its next credentials end. */
    @VisibleForTesting
    Throwable onProviderFailure(Throwable error) {
        return onFailure(error, providerFailingSince);
    }

    private Throwable onFailure(Throwable error, AtomicLong since) {
        if (AwsErrors.classify(error) != AwsErrorKind.CREDENTIALS_UNAVAILABLE) {
            return error;
        }
        long now = clock.getAsLong();
        since.compareAndSet(NO_OUTAGE, now);
        long outage = now - since.get();
        return outage >= maxOutageMillis ? CredentialsOutageException.after(outage, error) : error;
    }

    @VisibleForTesting
    void onAnswer(int statusCode) {
        if (statusCode < 400) {
            providerFailingSince.set(NO_OUTAGE);
            tokenRefusedSince.set(NO_OUTAGE);
        }
    }

    /**
     * Asks the provider at most every {@link #MIN_ASK_INTERVAL_MILLIS} while it keeps failing:
     * every call of every subtask asks it, and a provider that does not answer (instance metadata,
     * the container endpoint, STS) is best not asked thousands of times a second while it recovers.
     */
    private static final class WatchedProvider implements AwsCredentialsProvider {
        private final AwsCredentialsProvider provider;
        private final CredentialsOutage outage;
        private volatile RuntimeException lastFailure;
        private volatile long lastFailureMillis;

        WatchedProvider(AwsCredentialsProvider provider, CredentialsOutage outage) {
            this.provider = provider;
            this.outage = outage;
        }

        @Override
        public AwsCredentials resolveCredentials() {
            RuntimeException failing = lastFailure;
            long now = outage.clock.getAsLong();
            if (failing != null && now - lastFailureMillis < MIN_ASK_INTERVAL_MILLIS) {
                throw reported(failing);
            }
            try {
                AwsCredentials credentials = provider.resolveCredentials();
                lastFailure = null;
                outage.providerFailingSince.set(NO_OUTAGE);
                return credentials;
            } catch (RuntimeException e) {
                lastFailureMillis = now;
                lastFailure = e;
                throw reported(e);
            }
        }

        private RuntimeException reported(RuntimeException error) {
            Throwable reported = outage.onProviderFailure(error);
            return reported instanceof RuntimeException ? (RuntimeException) reported : error;
        }

        @Override
        public String toString() {
            return provider.toString();
        }
    }

    private static final class Interceptor implements ExecutionInterceptor {
        private final CredentialsOutage outage;

        Interceptor(CredentialsOutage outage) {
            this.outage = outage;
        }

        @Override
        public void afterTransmission(
                Context.AfterTransmission context, ExecutionAttributes attributes) {
            outage.onAnswer(context.httpResponse().statusCode());
        }

        @Override
        public Throwable modifyException(
                Context.FailedExecution context, ExecutionAttributes attributes) {
            return outage.onFailure(context.exception());
        }
    }
}
