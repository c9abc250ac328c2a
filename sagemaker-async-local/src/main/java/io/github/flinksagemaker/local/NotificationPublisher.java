package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.ModelResponse;
import io.github.flinksagemaker.local.s3.S3Uri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends an endpoint's completion notifications as SageMaker does through SNS to a subscribed SQS
 * queue: the {@code InferenceResult} JSON, raw or in the SNS envelope, with the configured drops,
 * duplicates and delays. Sending is asynchronous, so the model workers only build the message.
 */
final class NotificationPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationPublisher.class);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String ACCOUNT = "000000000000";
    static final String FAILURE_CONTENT_TYPE = "text/plain; charset=utf-8";

    private final ObjectMapper json = new ObjectMapper();
    private final String region;
    private final LocalSqs sqs;
    private final LocalCounters counters;
    private final ScheduledExecutorService scheduler;

    NotificationPublisher(
            String region,
            LocalSqs sqs,
            LocalCounters counters,
            ScheduledExecutorService scheduler) {
        this.region = region;
        this.sqs = sqs;
        this.counters = counters;
        this.scheduler = scheduler;
    }

    /**
     * Notifies the result of {@code invocation}, just written to {@code location} at {@code
     * writtenAt}, if the endpoint has a queue for results of its kind.
     */
    void publish(
            LocalEndpointConfig config,
            AsyncInvocation invocation,
            Instant receivedAt,
            Instant writtenAt,
            S3Uri location,
            ModelResponse response) {
        LocalNotifications notifications = config.notifications();
        boolean failed = response.isError();
        String queue = failed ? notifications.errorQueue() : notifications.successQueue();
        if (queue == null) {
            return;
        }
        String body;
        try {
            String message =
                    json.writeValueAsString(
                            message(
                                    notifications,
                                    invocation,
                                    receivedAt,
                                    writtenAt,
                                    location,
                                    response));
            body =
                    notifications.rawDelivery()
                            ? message
                            : json.writeValueAsString(envelope(queue, message));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Could not write a notification", e);
        }

        double roll = ThreadLocalRandom.current().nextDouble();
        int copies = 1;
        if (roll < notifications.dropFraction()) {
            counters.countNotificationDropped();
            return;
        } else if (roll < notifications.dropFraction() + notifications.duplicateFraction()) {
            counters.countNotificationDuplicated();
            copies = 2;
        }
        for (int i = 0; i < copies; i++) {
            long delayNanos = randomNanos(notifications);
            try {
                scheduler.schedule(
                        () -> send(queue, body, invocation.inferenceId()),
                        delayNanos,
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                return;
            }
        }
    }

    private void send(String queue, String body, String inferenceId) {
        try {
            sqs.sendMessage(sqs.createQueue(queue), body)
                    .whenComplete(
                            (ok, error) -> {
                                if (error == null) {
                                    counters.countNotificationSent();
                                } else {
                                    failed(queue, inferenceId, error);
                                }
                            });
        } catch (RuntimeException e) {
            failed(queue, inferenceId, e);
        }
    }

    private void failed(String queue, String inferenceId, Throwable error) {
        counters.countNotificationFailed();
        LOG.warn(
                "Could not send the notification of inference {} to queue {}: {}",
                inferenceId,
                queue,
                error.toString());
    }

    private ObjectNode message(
            LocalNotifications notifications,
            AsyncInvocation invocation,
            Instant receivedAt,
            Instant writtenAt,
            S3Uri location,
            ModelResponse response) {
        boolean failed = response.isError();
        ObjectNode message = json.createObjectNode();
        message.put("awsRegion", region);
        message.put("eventTime", TIME.format(writtenAt));
        message.put("receivedTime", TIME.format(receivedAt));
        message.put("invocationStatus", failed ? "Failed" : "Completed");
        if (failed) {
            message.put("failureReason", response.errorMessage());
        }
        ObjectNode request = message.putObject("requestParameters");
        putIfPresent(request, "accept", invocation.accept());
        putIfPresent(request, "contentType", invocation.contentType());
        putIfPresent(request, "customAttributes", invocation.customAttributes());
        request.put("endpointName", invocation.endpointName());
        putIfPresent(request, "inputLocation", invocation.inputLocation());
        ObjectNode result = message.putObject("responseParameters");
        if (failed) {
            result.put("contentType", FAILURE_CONTENT_TYPE);
            result.put("failureLocation", location.toString());
        } else {
            result.put("contentType", response.contentType());
            result.put("outputLocation", location.toString());
            byte[] output = response.body();
            if (notifications.includeInferenceResponse()
                    && output.length <= LocalNotifications.MAX_INCLUDED_RESPONSE_BYTES) {
                ObjectNode included = message.putObject("responseBody");
                included.put("content", Base64.getEncoder().encodeToString(output));
                included.put("message", "Response is included in the notification");
                included.put("encoding", "BASE64");
            }
        }
        message.put("inferenceId", invocation.inferenceId());
        message.put("eventVersion", "1.0");
        message.put("eventSource", "aws:sagemaker");
        message.put("eventName", "InferenceResult");
        return message;
    }

    private ObjectNode envelope(String queue, String message) {
        ObjectNode envelope = json.createObjectNode();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", UUID.randomUUID().toString());
        envelope.put("TopicArn", "arn:aws:sns:" + region + ":" + ACCOUNT + ":" + queue + "-topic");
        envelope.put("Message", message);
        envelope.put("Timestamp", TIME.format(Instant.now()));
        envelope.put("SignatureVersion", "1");
        envelope.put("Signature", "bG9jYWw=");
        envelope.put("SigningCertURL", "https://sns." + region + ".amazonaws.com/local.pem");
        envelope.put(
                "UnsubscribeURL", "https://sns." + region + ".amazonaws.com/?Action=Unsubscribe");
        return envelope;
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static long randomNanos(LocalNotifications notifications) {
        long min = notifications.minDelay().toNanos();
        long max = notifications.maxDelay().toNanos();
        return min == max ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
    }
}
