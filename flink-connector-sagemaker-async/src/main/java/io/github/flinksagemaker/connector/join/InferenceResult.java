package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.submit.SubmitPath;

import org.apache.flink.annotation.PublicEvolving;

import java.util.Arrays;
import java.util.Objects;

/**
 * The one result of one element: its status, the element (or its projection), the inference ID, how
 * it was submitted, the output (SUCCESS) or error text (MODEL_ERROR, REJECTED, TIMED_OUT), and
 * timings.
 *
 * @param <E> the carried element (or projection) type
 */
@PublicEvolving
public final class InferenceResult<E> {
    private final InferenceStatus status;
    private final String inferenceId;
    private final E element;
    private final SubmitPath path;
    private final byte[] output;
    private final String contentType;
    private final String resultLocation;
    private final String errorMessage;
    private final long submitTimeMillis;
    private final long completedTimeMillis;

    public InferenceResult(
            InferenceStatus status,
            String inferenceId,
            E element,
            SubmitPath path,
            byte[] output,
            String contentType,
            String resultLocation,
            String errorMessage,
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
        this.submitTimeMillis = submitTimeMillis;
        this.completedTimeMillis = completedTimeMillis;
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

    /** The s3:// URI of the output or failure object; null for REJECTED and TIMED_OUT. */
    public String resultLocation() {
        return resultLocation;
    }

    /** The failure object's text, the rejection reason, or the timeout; null for SUCCESS. */
    public String errorMessage() {
        return errorMessage;
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
                && Objects.equals(errorMessage, that.errorMessage);
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
