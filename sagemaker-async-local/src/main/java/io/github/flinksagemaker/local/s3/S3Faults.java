package io.github.flinksagemaker.local.s3;

import io.github.flinksagemaker.local.LocalCounters.S3Fault;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.jclouds.http.HttpResponse;
import org.jclouds.http.HttpResponseException;
import org.jclouds.rest.AuthorizationException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Faults the local S3 injects into client requests: access denied (403 AccessDenied) for some
 * operations under a key prefix, as a bucket policy or a missing permission would, a fraction of
 * requests answered 503 (as S3's SlowDown), and a fraction of uploads answered 400 IncompleteBody,
 * as S3 answers a body that broke off on the way. Changeable while running; the endpoint's own
 * reads and writes are never affected.
 */
public final class S3Faults {
    /** What a denial covers. */
    private record Denial(String bucket, String keyPrefix, List<S3Operation> operations) {}

    private final List<Denial> denials = new CopyOnWriteArrayList<>();
    private final Consumer<S3Fault> counter;
    private volatile double slowDownFraction;
    private volatile double incompleteBodyFraction;

    public S3Faults(Consumer<S3Fault> counter) {
        this.counter = counter;
    }

    /** Denies {@code operations} (all when none are given) on keys starting with the prefix. */
    public void deny(String bucket, String keyPrefix, S3Operation... operations) {
        denials.add(
                new Denial(
                        bucket,
                        keyPrefix,
                        operations.length == 0
                                ? List.of(S3Operation.values())
                                : List.of(operations)));
    }

    /** Removes every denial. */
    public void allowAll() {
        denials.clear();
    }

    /** Answers this fraction of client requests 503, like S3's SlowDown; 0 turns it off. */
    public void slowDownFraction(double fraction) {
        this.slowDownFraction = checkFraction("slowDownFraction", fraction);
    }

    /**
     * Answers this fraction of client uploads (PutObject, UploadPart) 400 IncompleteBody, storing
     * nothing; 0 turns it off.
     */
    public void incompleteBodyFraction(double fraction) {
        this.incompleteBodyFraction = checkFraction("incompleteBodyFraction", fraction);
    }

    private static double checkFraction(String name, double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + fraction);
        }
        return fraction;
    }

    /** Throws what s3proxy turns into the injected error response, if a fault applies. */
    void check(S3Operation operation, String bucket, String key) {
        for (Denial denial : denials) {
            if (denial.bucket().equals(bucket)
                    && key != null
                    && key.startsWith(denial.keyPrefix())
                    && denial.operations().contains(operation)) {
                counter.accept(S3Fault.ACCESS_DENIED);
                throw new AuthorizationException(
                        "Access Denied (injected) for " + operation + " on " + bucket + "/" + key);
            }
        }
        double fraction = slowDownFraction;
        if (fraction > 0 && ThreadLocalRandom.current().nextDouble() < fraction) {
            counter.accept(S3Fault.SLOW_DOWN);
            throw new HttpResponseException(
                    "Please reduce your request rate (injected SlowDown)",
                    null,
                    HttpResponse.builder().statusCode(503).message("Slow Down").build());
        }
    }

    /**
     * Throws the injected error response for an upload's body, if a fault applies; called after
     * {@link #check} for requests that carry an object's bytes.
     */
    void checkUpload(String bucket, String key) {
        double fraction = incompleteBodyFraction;
        if (fraction > 0 && ThreadLocalRandom.current().nextDouble() < fraction) {
            counter.accept(S3Fault.INCOMPLETE_BODY);
            throw new InjectedS3Error(
                    400,
                    "IncompleteBody",
                    "You did not provide the number of bytes specified by the Content-Length HTTP"
                            + " header");
        }
    }
}
