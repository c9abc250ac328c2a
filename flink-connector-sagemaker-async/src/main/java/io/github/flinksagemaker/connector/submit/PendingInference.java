package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Objects;

/**
 * What the submit operator emits for each element: either an accepted submission, with the
 * inference ID and the output and failure locations the service returned (the only reliable link to
 * the result), or a rejection with its reason. Carries the element, or the user's projection of it.
 *
 * @param <E> the carried element (or projection) type
 */
@PublicEvolving
public final class PendingInference<E> {
    private final String inferenceId;
    private final String outputLocation;
    private final String failureLocation;
    private final SubmitPath path;
    private final int payloadBytes;
    private final long submitTimeMillis;
    private final long deadlineMillis;
    private final String inputLocation;
    private final E element;
    private final RejectionReason rejectionReason;
    private final String errorMessage;

    PendingInference(
            String inferenceId,
            String outputLocation,
            String failureLocation,
            SubmitPath path,
            int payloadBytes,
            long submitTimeMillis,
            long deadlineMillis,
            String inputLocation,
            E element,
            RejectionReason rejectionReason,
            String errorMessage) {
        this.inferenceId = inferenceId;
        this.outputLocation = outputLocation;
        this.failureLocation = failureLocation;
        this.path = path;
        this.payloadBytes = payloadBytes;
        this.submitTimeMillis = submitTimeMillis;
        this.deadlineMillis = deadlineMillis;
        this.inputLocation = inputLocation;
        this.element = element;
        this.rejectionReason = rejectionReason;
        this.errorMessage = errorMessage;
    }

    /**
     * A submission whose request went out but whose answer never came: the service may have
     * accepted it, so it is pending under its inference ID, and its result (matched by ID) or the
     * look at its deadline decides. {@code expectedOutputLocation} is where its output will be if
     * that is known without the answer, else null; its failure location is never known.
     */
    public static <E> PendingInference<E> unconfirmed(
            String inferenceId,
            String expectedOutputLocation,
            SubmitPath path,
            int payloadBytes,
            long submitTimeMillis,
            long deadlineMillis,
            String inputLocation,
            E element) {
        return new PendingInference<>(
                Objects.requireNonNull(inferenceId, "inferenceId"),
                expectedOutputLocation,
                null,
                Objects.requireNonNull(path, "path"),
                payloadBytes,
                submitTimeMillis,
                deadlineMillis,
                inputLocation,
                element,
                null,
                null);
    }

    /**
     * A submission the service accepted (HTTP 202). {@code failureLocation} is null when the
     * service returned none (the endpoint has no S3FailurePath): only the output is awaited.
     */
    public static <E> PendingInference<E> accepted(
            String inferenceId,
            String outputLocation,
            String failureLocation,
            SubmitPath path,
            int payloadBytes,
            long submitTimeMillis,
            long deadlineMillis,
            String inputLocation,
            E element) {
        return new PendingInference<>(
                Objects.requireNonNull(inferenceId, "inferenceId"),
                Objects.requireNonNull(outputLocation, "outputLocation"),
                failureLocation,
                Objects.requireNonNull(path, "path"),
                payloadBytes,
                submitTimeMillis,
                deadlineMillis,
                inputLocation,
                element,
                null,
                null);
    }

    /**
     * An element that was not submitted. {@code inferenceId}, {@code path} and {@code element} are
     * null when they could not be determined; {@code payloadBytes} is -1 when unknown; {@code
     * inputLocation} is where its payload was uploaded before the rejection, or null.
     */
    public static <E> PendingInference<E> rejected(
            String inferenceId,
            SubmitPath path,
            int payloadBytes,
            long submitTimeMillis,
            String inputLocation,
            E element,
            RejectionReason reason,
            String errorMessage) {
        return new PendingInference<>(
                inferenceId,
                null,
                null,
                path,
                payloadBytes,
                submitTimeMillis,
                0L,
                inputLocation,
                element,
                Objects.requireNonNull(reason, "reason"),
                Objects.requireNonNull(errorMessage, "errorMessage"));
    }

    public boolean isRejected() {
        return rejectionReason != null;
    }

    /** The inference ID; null only for a rejection before an ID was known. */
    public String inferenceId() {
        return inferenceId;
    }

    /** The s3:// URI where the service will write the output; null when rejected. */
    public String outputLocation() {
        return outputLocation;
    }

    /**
     * The s3:// URI where the service will write a failure; null when rejected or when the service
     * returned none.
     */
    public String failureLocation() {
        return failureLocation;
    }

    /** INLINE or S3; null for a rejection before the path was chosen. */
    public SubmitPath path() {
        return path;
    }

    /** The payload size in bytes, or -1 when unknown. */
    public int payloadBytes() {
        return payloadBytes;
    }

    public long submitTimeMillis() {
        return submitTimeMillis;
    }

    /**
     * When the result is due at the latest: submit time + RequestTTL + InvocationTimeout + grace; 0
     * when rejected.
     */
    public long deadlineMillis() {
        return deadlineMillis;
    }

    /** The uploaded payload's s3:// URI when the path is S3, else null. */
    public String inputLocation() {
        return inputLocation;
    }

    /** The element or its projection; null if the projection failed. */
    public E element() {
        return element;
    }

    /** Why the element was not submitted, or null when accepted. */
    public RejectionReason rejectionReason() {
        return rejectionReason;
    }

    /** The error behind a rejection, or null when accepted. Never contains the payload. */
    public String errorMessage() {
        return errorMessage;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PendingInference)) {
            return false;
        }
        PendingInference<?> that = (PendingInference<?>) o;
        return payloadBytes == that.payloadBytes
                && submitTimeMillis == that.submitTimeMillis
                && deadlineMillis == that.deadlineMillis
                && Objects.equals(inferenceId, that.inferenceId)
                && Objects.equals(outputLocation, that.outputLocation)
                && Objects.equals(failureLocation, that.failureLocation)
                && path == that.path
                && Objects.equals(inputLocation, that.inputLocation)
                && Objects.equals(element, that.element)
                && rejectionReason == that.rejectionReason
                && Objects.equals(errorMessage, that.errorMessage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                inferenceId,
                outputLocation,
                failureLocation,
                path,
                payloadBytes,
                submitTimeMillis,
                deadlineMillis,
                inputLocation,
                element,
                rejectionReason,
                errorMessage);
    }

    /** Leaves the element out: it may hold user data that must not reach logs. */
    @Override
    public String toString() {
        return isRejected()
                ? "PendingInference{rejected="
                        + rejectionReason
                        + ", inferenceId="
                        + inferenceId
                        + ", path="
                        + path
                        + ", error="
                        + errorMessage
                        + '}'
                : "PendingInference{inferenceId="
                        + inferenceId
                        + ", path="
                        + path
                        + ", payloadBytes="
                        + payloadBytes
                        + ", outputLocation="
                        + outputLocation
                        + ", failureLocation="
                        + failureLocation
                        + ", deadlineMillis="
                        + deadlineMillis
                        + '}';
    }
}
