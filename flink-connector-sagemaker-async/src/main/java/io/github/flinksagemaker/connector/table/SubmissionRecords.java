package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.sagemaker.InvocationAccepted;
import io.github.flinksagemaker.connector.submit.InferenceIds;
import io.github.flinksagemaker.connector.submit.SerializedRequest;
import io.github.flinksagemaker.connector.submit.SubmitConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * What SQL remembers of a row submitted under an inference ID the user gave: a small object next to
 * the ID's input key, {@code <input-prefix>/<escaped-id>.submitted}, written once the service
 * accepted the call, holding the payload's SHA-256 and the returned locations. A row replayed after
 * a failover (the async operators checkpoint their rows in flight, and the source replays the rest)
 * finds it and waits for, or returns, the first submission's result instead of invoking again.
 *
 * <p>A record answers rows for as long as the service may still write its result (RequestTTL plus
 * InvocationTimeout plus grace); an older one is ignored and overwritten. A record of another
 * payload means another row used the ID: that row is REJECTED, never given the other's result.
 */
@Internal
final class SubmissionRecords {
    private static final Logger LOG = LoggerFactory.getLogger(SubmissionRecords.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final long MAX_RECORD_BYTES = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final S3ObjectStore store;
    private final S3Location prefix;
    private final long reuseWindowMillis;

    SubmissionRecords(S3ObjectStore store, SubmitConfig config) {
        this.store = store;
        this.prefix = config.inputPrefix();
        this.reuseWindowMillis = config.serviceResultWindowMillis();
    }

    /** One submission: the payload it was for, where its result goes and when it was sent. */
    record Record(
            String payloadSha256,
            String outputLocation,
            String failureLocation,
            long submitTimeMillis) {

        InvocationAccepted accepted(String inferenceId) {
            return new InvocationAccepted(inferenceId, outputLocation, failureLocation);
        }
    }

    /** The payload's identity: its bytes and the content type it is sent with. */
    static String digest(SerializedRequest request) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(request.payload());
            if (request.contentType() != null) {
                sha.update((byte) 0);
                sha.update(request.contentType().getBytes(StandardCharsets.UTF_8));
            }
            return HEX.formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    /**
     * The ID's record if one can still answer a row submitted at {@code nowMillis}, else null. A
     * record that cannot be read is no record (the row is submitted), unless the fault dooms every
     * row.
     */
    CompletableFuture<Record> find(String inferenceId, long nowMillis) {
        S3Location location = InferenceIds.submissionRecordLocation(prefix, inferenceId);
        return store.getObject(location, MAX_RECORD_BYTES, TIMEOUT)
                .handle(
                        (content, error) -> {
                            if (error != null) {
                                ResultReadFailure failure =
                                        ResultReadFailure.of(
                                                error, ResultLocationOrigin.CONFIGURED_UNSEEN);
                                if (failure == ResultReadFailure.FATAL) {
                                    throw FatalAwsException.of(
                                            "Reading the submission record at "
                                                    + location
                                                    + " (s3:GetObject, option '"
                                                    + SubmitOptions.S3_INPUT_PREFIX.key()
                                                    + "')",
                                            error,
                                            FatalAwsException.advice(AwsErrors.classify(error)));
                                }
                                // A 403 is how S3 says "absent" to a role without s3:ListBucket.
                                if (failure != ResultReadFailure.DENIED_MAYBE_ABSENT
                                        && failure != ResultReadFailure.ABSENT) {
                                    LOG.warn(
                                            "Cannot read the submission record at {}; inference"
                                                    + " {} is submitted: {}",
                                            location,
                                            inferenceId,
                                            AwsErrors.describe(error));
                                }
                                return null;
                            }
                            if (content == null || content.isOverLimit()) {
                                return null;
                            }
                            Record record = parse(content.bytes(), location);
                            return record != null
                                            && nowMillis - record.submitTimeMillis()
                                                    < reuseWindowMillis
                                    ? record
                                    : null;
                        });
    }

    /**
     * Records an accepted submission; completes normally also when the write fails (the row is
     * accepted, only a replay of it would be invoked again), unless the fault dooms every row.
     */
    CompletableFuture<Void> write(String inferenceId, Record record) {
        S3Location location = InferenceIds.submissionRecordLocation(prefix, inferenceId);
        ObjectNode json = MAPPER.createObjectNode();
        json.put("inferenceId", inferenceId);
        json.put("payloadSha256", record.payloadSha256());
        json.put("outputLocation", record.outputLocation());
        json.put("failureLocation", record.failureLocation());
        json.put("submitTimeMillis", record.submitTimeMillis());
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot write a JSON object of strings", e);
        }
        return store.putObject(location, bytes, "application/json", TIMEOUT)
                .handle(
                        (ok, error) -> {
                            if (error == null) {
                                return null;
                            }
                            String advice = FatalAwsException.advice(AwsErrors.classify(error));
                            if (advice != null) {
                                throw FatalAwsException.of(
                                        "Writing the submission record at "
                                                + location
                                                + " (s3:PutObject, option '"
                                                + SubmitOptions.S3_INPUT_PREFIX.key()
                                                + "')",
                                        error,
                                        advice);
                            }
                            LOG.warn(
                                    "Cannot write the submission record at {}: a replay of"
                                            + " inference {} would invoke it again: {}",
                                    location,
                                    inferenceId,
                                    AwsErrors.describe(error));
                            return null;
                        });
    }

    private static Record parse(byte[] bytes, S3Location location) {
        try {
            JsonNode json = MAPPER.readTree(bytes);
            if (json != null
                    && json.hasNonNull("payloadSha256")
                    && json.hasNonNull("submitTimeMillis")) {
                return new Record(
                        json.get("payloadSha256").asText(),
                        json.hasNonNull("outputLocation")
                                ? json.get("outputLocation").asText()
                                : null,
                        json.hasNonNull("failureLocation")
                                ? json.get("failureLocation").asText()
                                : null,
                        json.get("submitTimeMillis").asLong());
            }
        } catch (Exception e) {
            // Not ours, or cut short: as if absent, and said why below.
        }
        LOG.warn(
                "Ignoring the submission record at {}: it is not one this connector wrote",
                location);
        return null;
    }
}
