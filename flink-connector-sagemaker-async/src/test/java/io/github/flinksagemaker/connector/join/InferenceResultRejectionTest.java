package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.submit.RejectionReason;
import io.github.flinksagemaker.connector.submit.SubmitPath;
import io.github.flinksagemaker.connector.testutils.Golden;

import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A REJECTED result says why as a {@link RejectionReason}, read from its stored message, so that
 * the serialized format is unchanged and results of every version carry it; and it keeps the input
 * its payload was uploaded to.
 */
class InferenceResultRejectionTest {
    private static final InferenceResultSerializer<String> SERIALIZER =
            new InferenceResultSerializer<>(StringSerializer.INSTANCE);

    private static final long SUBMITTED = 1_764_000_000_000L;

    private static PendingInference<String> rejection(RejectionReason reason, String input) {
        return PendingInference.rejected(
                "id-1", SubmitPath.S3, 200_000, SUBMITTED, input, "element", reason, "why");
    }

    @ParameterizedTest
    @EnumSource(RejectionReason.class)
    void eachReasonOfARejectedSubmissionIsTyped(RejectionReason reason) throws IOException {
        InferenceResult<String> result = InferenceResult.rejected(rejection(reason, null));

        assertThat(result.rejectionReason()).isEqualTo(reason);
        assertThat(result.errorMessage()).isEqualTo(reason + ": why");
        assertThat(roundTrip(result).rejectionReason())
                .as("read back from the unchanged format")
                .isEqualTo(reason);
    }

    @ParameterizedTest
    @EnumSource(RejectionReason.class)
    void eachReasonOfARejectionBeforeSubmissionIsTyped(RejectionReason reason) throws IOException {
        InferenceResult<String> result =
                InferenceResult.rejected(null, null, null, reason, "no ID", SUBMITTED);

        assertThat(result.rejectionReason()).isEqualTo(reason);
        assertThat(roundTrip(result).rejectionReason()).isEqualTo(reason);
    }

    @Test
    void aResultWrittenBeforeTheTypedReasonExistedHasIt() throws IOException {
        InferenceResult<String> v1 =
                SERIALIZER.deserialize(
                        new DataInputDeserializer(
                                Golden.bytes("inference-result-v1-rejected.bin")));

        assertThat(v1.rejectionReason()).isEqualTo(RejectionReason.SERIALIZATION_FAILED);
    }

    @Test
    void onlyRejectedResultsHaveAReason() {
        PendingInference<String> accepted =
                PendingInference.accepted(
                        "id-2",
                        "s3://bucket/out/2.out",
                        "s3://bucket/failure/2.out",
                        SubmitPath.INLINE,
                        10,
                        SUBMITTED,
                        SUBMITTED + 60_000,
                        null,
                        "element");
        // A model's error text that starts like a rejection is still no rejection.
        InferenceOutput failure =
                new InferenceOutput(
                        "s3://bucket/failure/2.out",
                        ResultStatus.FAILURE,
                        "VALIDATION_ERROR: bad input".getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        SUBMITTED,
                        27,
                        null);

        assertThat(InferenceResult.modelError(accepted, failure, SUBMITTED).rejectionReason())
                .isNull();
        assertThat(
                        InferenceResult.timedOut(accepted, "SUBMIT_TIMEOUT: no", SUBMITTED)
                                .rejectionReason())
                .isNull();
        assertThat(SERIALIZER.createInstance().rejectionReason())
                .as("a REJECTED instance without a message")
                .isNull();
    }

    /**
     * The payload was uploaded, then the call failed: the result keeps where, so that the input can
     * be looked at or deleted (cleanup deletes it).
     */
    @Test
    void aRejectionAfterTheUploadKeepsTheInputLocation() throws IOException {
        InferenceResult<String> result =
                InferenceResult.rejected(
                        rejection(RejectionReason.VALIDATION_ERROR, "s3://bucket/in/id-1"));

        assertThat(result.inputLocation()).isEqualTo("s3://bucket/in/id-1");
        assertThat(roundTrip(result).inputLocation()).isEqualTo("s3://bucket/in/id-1");
        assertThat(
                        InferenceResult.rejected(rejection(RejectionReason.SUBMIT_FAILED, null))
                                .inputLocation())
                .as("nothing uploaded")
                .isNull();
    }

    private static InferenceResult<String> roundTrip(InferenceResult<String> result)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        SERIALIZER.serialize(result, out);
        return SERIALIZER.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
