package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;

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
 * of the service, its failures become {@link CredentialsOutageException}s, which fail the job with
 * advice.
 *
 * <p>Two minutes: the SDK's providers retry within each call, and a refreshing provider fetches new
 * credentials well before the old ones expire, so a pause longer than several rounds of the slowest
 * backoff (20 s) is no longer a moment: waiting longer only hides a provider that cannot answer,
 * while every element waits for it.
 */
@Internal
public final class CredentialsOutageInterceptor implements ExecutionInterceptor {
    public static final Duration MAX_OUTAGE = Duration.ofMinutes(2);

    private static final long NO_OUTAGE = Long.MIN_VALUE;

    private final long maxOutageMillis;
    private final LongSupplier clock;
    private final AtomicLong outageSince = new AtomicLong(NO_OUTAGE);

    public CredentialsOutageInterceptor() {
        this(MAX_OUTAGE, System::currentTimeMillis);
    }

    @VisibleForTesting
    CredentialsOutageInterceptor(Duration maxOutage, LongSupplier clock) {
        this.maxOutageMillis = maxOutage.toMillis();
        this.clock = clock;
    }

    /** An answer that is not an error means the credentials were accepted: the outage is over. */
    @Override
    public void afterTransmission(
            Context.AfterTransmission context, ExecutionAttributes attributes) {
        if (context.httpResponse().statusCode() < 400) {
            outageSince.set(NO_OUTAGE);
        }
    }

    @Override
    public Throwable modifyException(
            Context.FailedExecution context, ExecutionAttributes attributes) {
        return onFailure(context.exception());
    }

    @VisibleForTesting
    Throwable onFailure(Throwable error) {
        if (AwsErrors.classify(error) != AwsErrorKind.CREDENTIALS_UNAVAILABLE) {
            return error;
        }
        long now = clock.getAsLong();
        outageSince.compareAndSet(NO_OUTAGE, now);
        long outage = now - outageSince.get();
        return outage >= maxOutageMillis ? CredentialsOutageException.after(outage, error) : error;
    }
}
