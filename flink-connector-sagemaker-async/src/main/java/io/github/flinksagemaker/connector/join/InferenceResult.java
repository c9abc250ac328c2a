package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.apache.flink.annotation.PublicEvolving;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one result of one element: its status, the element (or its projection), the inference ID, how
 * it was submitted, the output (SUCCESS) or error text (MODEL_ERROR, REJECTED, TIMED_OUT,
 * UNREADABLE), and timings. Made by the factories {@link #success}, {@link #modelError}, {@link
 * #unreadable}, {@link #rejected} and {@link #timedOut}.
 *
 * @param <E> the carried element (or projection) type
 */
@PublicEvolving
public final class InferenceResult<E> {
    private static final String REASON_SEPARATOR = ": ";
    private static final RejectionReason[] REASONS = RejectionReason.values();

    private final InferenceStatus status;
    private final String inferenceId;
    private final E element;
    private final SubmitPath path;
    private final byte[] output;
    private final String contentType;
    private final String resultLocation;
    private final String errorMessage;
    private final String inputLocation;
    private final boolean resultContentIncluded;
    private final long submitTimeMillis;
    private final long completedTimeMillis;

    InferenceResult(
            InferenceStatus status,
            String inferenceId,
            E element,
            SubmitPath path,
            byte[] output,
            String contentType,
            String resultLocation,
            String errorMessage,
            String inputLocation,
            boolean resultContentIncluded,
            long submitTimeMillis,
            long completedTimeMillis) {
        this.status = Objects.requireNonNull(status, "status");
        this.inferenceId = inferenceId;
        this.element = element;
        this.path = path;
        this.output = output;
        this.contentType = contentType;
        this.resultLocation = resultLocation;
        this.errorMessage = errorMessage;
        this.inputLocation = inputLocation;
        this.resultContentIncluded = resultContentIncluded;
        this.submitTimeMillis = submitTimeMillis;
        this.completedTimeMillis = completedTimeMillis;
    }

    /**
     * The model's output for {@code pending}; the bytes are null when the object was over the
     * content limit (read it from {@link #resultLocation()}).
     */
    public static <E> InferenceResult<E> success(
            PendingInference<E> pending, InferenceOutput output, long decidedMillis) {
        return new InferenceResult<>(
                InferenceStatus.SUCCESS,
                pending.inferenceId(),
                pending.element(),
                pending.path(),
                output.content(),
                output.contentType(),
                output.location(),
                null,
                pending.inputLocation(),
                output.isContentIncluded(),
                pending.submitTimeMillis(),
                Math.max(decidedMillis, pending.submitTimeMillis()));
    }

    /**
     * The model container's error text for {@code pending}, from its failure object (or, from a
     * notification that names no failure object, the service's failureReason, with no location).
     */
    public static <E> InferenceResult<E> modelError(
            PendingInference<E> pending, InferenceOutput failure, long decidedMillis) {
        String error =
                failure.isContentIncluded()
                        ? new String(failure.content(), StandardCharsets.UTF_8)
                        : "Failure object of "
                                + failure.size()
                                + " bytes at "
                                + failure.location()
                                + " was not read (over the content limit)";
        return new InferenceResult<>(
                InferenceStatus.MODEL_ERROR,
                pending.inferenceId(),
                pending.element(),
                pending.path(),
                null,
                null,
                failure.location().isEmpty() ? null : failure.location(),
                error,
                pending.inputLocation(),
                failure.isContentIncluded(),
                pending.submitTimeMillis(),
                Math.max(decidedMillis, pending.submitTimeMillis()));
    }

    /** The result object of {@code pending} exists but could not be read. */
    public static <E> InferenceResult<E> unreadable(
            PendingInference<E> pending, InferenceOutput object, long decidedMillis) {
        return new InferenceResult<>(
                InferenceStatus.UNREADABLE,
                pending.inferenceId(),
                pending.element(),
                pending.path(),
                null,
                null,
                object.location(),
                "The "
                        + (object.status() == ResultStatus.MODEL_ERROR ? "failure" : "output")
                        + " object at "
                        + object.location()
                        + " exists but could not be read: "
                        + object.readError(),
                pending.inputLocation(),
                false,
                pending.submitTimeMillis(),
                Math.max(decidedMillis, pending.submitTimeMillis()));
    }

    /**
     * The result of an element that was never submitted; it keeps the input its payload was
     * uploaded to, if any, so that cleanup deletes it.
     */
    public static <E> InferenceResult<E> rejected(PendingInference<E> rejection) {
        return new InferenceResult<>(
                InferenceStatus.REJECTED,
                rejection.inferenceId(),
                rejection.element(),
                rejection.path(),
                null,
                null,
                null,
                rejectionMessage(rejection.rejectionReason(), rejection.errorMessage()),
                rejection.inputLocation(),
                false,
                rejection.submitTimeMillis(),
                rejection.submitTimeMillis());
    }

    /**
     * The result of an element that was never submitted; {@code inferenceId}, {@code element} and
     * {@code path} may be null when they could not be determined.
     */
    public static <E> InferenceResult<E> rejected(
            String inferenceId,
            E element,
            SubmitPath path,
            RejectionReason reason,
            String message,
            long decidedMillis) {
        return new InferenceResult<>(
                InferenceStatus.REJECTED,
                inferenceId,
                element,
                path,
                null,
                null,
                null,
                rejectionMessage(reason, message),
                null,
                false,
                decidedMillis,
                decidedMillis);
    }

    /**
     * A rejection's error message, {@code REASON: message}: the only place a result keeps its
     * reason, so that the serialized format stays as it was; {@link #rejectionReason()} reads it
     * back.
     */
    private static String rejectionMessage(RejectionReason reason, String message) {
        return reason + REASON_SEPARATOR + message;
    }

    /**
     * No result object for {@code pending} by its deadline; {@code detail} says where it looked.
     */
    public static <E> InferenceResult<E> timedOut(
            PendingInference<E> pending, String detail, long decidedMillis) {
        return new InferenceResult<>(
                InferenceStatus.TIMED_OUT,
                pending.inferenceId(),
                pending.element(),
                pending.path(),
                null,
                null,
                null,
                detail,
                pending.inputLocation(),
                false,
                pending.submitTimeMillis(),
                Math.max(decidedMillis, pending.submitTimeMillis()));
    }

    public InferenceStatus status() {
        return status;
    }

    public boolean isSuccess() {
        return status == InferenceStatus.SUCCESS;
    }

    /** The inference ID; null only for a rejection before an ID was known. */
    public String inferenceId() {
        return inferenceId;
    }

    /** The element or its projection; null if the projection failed. */
    public E element() {
        return element;
    }

    /** INLINE or S3; null when rejected before the path was chosen. */
    public SubmitPath path() {
        return path;
    }

    /**
     * The model's output bytes (not copied) for SUCCESS; null otherwise, and null when the output
     * was larger than the watch source's content limit: read it from {@link #resultLocation()}.
     */
    public byte[] output() {
        return output;
    }

    /** The output deserialized by {@code deserializer}; only for SUCCESS with included output. */
    public <O> O output(ResponseDeserializer<O> deserializer) throws Exception {
        if (output == null) {
            throw new IllegalStateException(
                    "Result " + inferenceId + " has no output bytes (status " + status + ")");
        }
        return deserializer.deserialize(output, contentType);
    }

    public String contentType() {
        return contentType;
    }

    /**
     * The s3:// URI of the output or failure object (also of an UNREADABLE one); null for REJECTED
     * and TIMED_OUT.
     */
    public String resultLocation() {
        return resultLocation;
    }

    /**
     * The failure object's text, the rejection reason and message ({@code REASON: message}; the
     * reason typed is {@link #rejectionReason()}), the timeout, or why the result could not be
     * read; null for SUCCESS.
     */
    public String errorMessage() {
        return errorMessage;
    }

    /**
     * Why the element was not submitted: null unless the status is REJECTED. Read from the start of
     * {@link #errorMessage()} ({@code REASON: message}), where results of every version keep it.
     */
    public RejectionReason rejectionReason() {
        if (status != InferenceStatus.REJECTED || errorMessage == null) {
            return null;
        }
        for (RejectionReason reason : REASONS) {
            String name = reason.name();
            if (errorMessage.startsWith(name)
                    && errorMessage.startsWith(REASON_SEPARATOR, name.length())) {
                return reason;
            }
        }
        return null;
    }

    /**
     * The uploaded payload's s3:// URI when the element went through S3, else null. A REJECTED
     * result keeps it too when the payload was uploaded before the call failed, so that the input
     * can be inspected, and cleanup ({@code sagemaker.join.cleanup}) deletes it.
     */
    public String inputLocation() {
        return inputLocation;
    }

    /**
     * Whether this result carries the result object's whole content: the output bytes of a SUCCESS,
     * the failure text of a MODEL_ERROR. False when the object was over the content limit (read it
     * from {@link #resultLocation()}), unreadable, or there is none.
     */
    public boolean isResultContentIncluded() {
        return resultContentIncluded;
    }

    public long submitTimeMillis() {
        return submitTimeMillis;
    }

    /** When the result was decided: its object reached the join, or the deadline passed. */
    public long completedTimeMillis() {
        return completedTimeMillis;
    }

    /** Completed minus submitted: what a user waits, discovery included. */
    public long latencyMillis() {
        return completedTimeMillis - submitTimeMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof InferenceResult)) {
            return false;
        }
        InferenceResult<?> that = (InferenceResult<?>) o;
        return submitTimeMillis == that.submitTimeMillis
                && completedTimeMillis == that.completedTimeMillis
                && status == that.status
                && Objects.equals(inferenceId, that.inferenceId)
                && Objects.equals(element, that.element)
                && path == that.path
                && Arrays.equals(output, that.output)
                && Objects.equals(contentType, that.contentType)
                && Objects.equals(resultLocation, that.resultLocation)
                && Objects.equals(errorMessage, that.errorMessage)
                && Objects.equals(inputLocation, that.inputLocation)
                && resultContentIncluded == that.resultContentIncluded;
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, inferenceId, element, path, resultLocation, submitTimeMillis);
    }

    /** Leaves the element and output out: user data must not reach logs. */
    @Override
    public String toString() {
        return "InferenceResult{"
                + status
                + ", inferenceId="
                + inferenceId
                + ", path="
                + path
                + ", latencyMillis="
                + latencyMillis()
                + (errorMessage != null ? ", error=" + errorMessage : "")
                + '}';
    }
}
