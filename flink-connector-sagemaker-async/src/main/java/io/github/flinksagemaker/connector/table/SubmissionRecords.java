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

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What SQL remembers of a row submitted under an inference ID the user gave: a small object next to
 * the ID's input key, {@code <input-prefix>/<escaped-endpoint>/<escaped-id>.submitted}, written
 * once the service accepted the call, holding the request's SHA-256 and the returned locations.
 * Scoped by the endpoint the request is sent to, so that models sharing an input prefix and an ID
 * column keep apart (an async request names nothing else: no target model, variant or container). A
 * row replayed after a failover (the async operators checkpoint their rows in flight, and the
 * source replays the rest) finds it and waits for, or returns, the first submission's result
 * instead of invoking again.
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
    private final String endpointName;
    private final SubmitConfig config;
    private final long reuseWindowMillis;
    private final AtomicLong deniedReads = new AtomicLong();

    SubmissionRecords(S3ObjectStore store, SubmitConfig config) {
        this.store = store;
        this.prefix = config.inputPrefix();
        this.endpointName = config.endpointName();
        this.config = config;
        this.reuseWindowMillis = config.serviceResultWindowMillis();
    }

    /** Reads of a record that S3 refused with 403, each submitted as if no record existed. */
    long deniedReads() {
        return deniedReads.get();
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

    /**
     * The request's identity: the payload and what it is sent with that changes the answer, the
     * content type, Accept (the output's format) and custom attributes (read by the model), each
     * the row's own or else the configured one. Length-prefixed, so no two requests share the
     * input.
     */
    String digest(SerializedRequest request) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, request.payload());
            update(sha, orElse(request.contentType(), config.contentType()));
            update(sha, orElse(request.accept(), config.accept()));
            update(sha, orElse(request.customAttributes(), config.customAttributes()));
            return HEX.formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private static void update(MessageDigest sha, String value) {
        if (value == null) {
            sha.update((byte) 0);
        } else {
            sha.update((byte) 1);
            update(sha, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void update(MessageDigest sha, byte[] value) {
        sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(value.length).array());
        sha.update(value);
    }

    /**
     * The ID's record if one can still answer a row submitted at {@code nowMillis}, else null. A
     * record that cannot be read is no record (the row is submitted), unless the fault dooms every
     * row.
     */
    CompletableFuture<Record> find(String inferenceId, long nowMillis) {
        S3Location location =
                InferenceIds.submissionRecordLocation(prefix, endpointName, inferenceId);
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
                                if (failure == ResultReadFailure.DENIED_MAYBE_ABSENT) {
                                    deniedRead(location);
                                } else if (failure != ResultReadFailure.ABSENT) {
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
        S3Location location =
                InferenceIds.submissionRecordLocation(prefix, endpointName, inferenceId);
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

    /**
     * A 403 is how S3 says "absent" to a role without s3:ListBucket, but also what a role without
     * s3:GetObject gets for a record that exists: then every replayed row is invoked, and paid for,
     * again. Said once per caller, so that the missing permission is not silent.
     */
    private void deniedRead(S3Location location) {
        if (deniedReads.getAndIncrement() == 0) {
            LOG.warn(
                    "S3 denied (403) reading the submission records under s3://{}/{}: each row is"
                            + " submitted as if its ID had no record. If the role lacks s3:GetObject"
                            + " on the input prefix (option '{}'), a row replayed after a failover is"
                            + " invoked again; grant it. Without s3:ListBucket S3 also answers 403 for"
                            + " a record that does not exist, which is harmless. Said once.",
                    location.bucket(),
                    location.key().substring(0, location.key().lastIndexOf('/') + 1),
                    SubmitOptions.S3_INPUT_PREFIX.key());
        }
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
