package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.ModelResponse;
import io.github.flinksagemaker.local.s3.S3Uri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
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

    /** SendMessageBatch calls to ElasticMQ at once. */
    private static final int MAX_IN_FLIGHT = 16;

    /** What SQS takes in one SendMessageBatch: ten messages of at most 256 KiB in all. */
    private static final int MAX_BATCH_MESSAGES = 10;

    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private static final int MAX_ATTEMPTS = 5;
    private static final long RETRY_DELAY_MILLIS = 100;

    private final ObjectMapper json = new ObjectMapper();
    private final Semaphore permits = new Semaphore(MAX_IN_FLIGHT);
    private final Queue<Delivery> waiting = new ConcurrentLinkedQueue<>();
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
        waiting.add(Delivery.first(queue, body, inferenceId));
        drain();
    }

    /**
     * Starts waiting deliveries while fewer than {@link #MAX_IN_FLIGHT} batches are under way:
     * thousands of results a second would otherwise open as many connections to ElasticMQ at once,
     * and connects time out.
     */
    private void drain() {
        // Every add and every release is followed by a drain, so nothing waits forever.
        while (!waiting.isEmpty() && permits.tryAcquire()) {
            List<Delivery> batch = nextBatch();
            if (batch.isEmpty()) {
                permits.release();
            } else {
                deliver(batch);
            }
        }
    }

    /** Waiting deliveries to one queue that fit one SendMessageBatch; the others wait on. */
    private List<Delivery> nextBatch() {
        List<Delivery> batch = new ArrayList<>();
        List<Delivery> others = new ArrayList<>();
        int bytes = 0;
        Delivery next;
        while (batch.size() < MAX_BATCH_MESSAGES && (next = waiting.poll()) != null) {
            if (!batch.isEmpty()
                    && (!next.queue().equals(batch.get(0).queue())
                            || bytes + next.bytes() > MAX_BATCH_BYTES)) {
                others.add(next);
                if (others.size() >= MAX_BATCH_MESSAGES) {
                    break;
                }
                continue;
            }
            batch.add(next);
            bytes += next.bytes();
        }
        waiting.addAll(others);
        return batch;
    }

    private void deliver(List<Delivery> batch) {
        try {
            sqs.sendMessages(
                            sqs.createQueue(batch.get(0).queue()),
                            batch.stream().map(Delivery::body).toList())
                    .whenComplete(
                            (refused, error) -> {
                                permits.release();
                                for (int i = 0; i < batch.size(); i++) {
                                    if (error != null) {
                                        retryOrGiveUp(batch.get(i), error);
                                    } else if (refused.contains(i)) {
                                        retryOrGiveUp(
                                                batch.get(i),
                                                new IOException("The queue refused the message"));
                                    } else {
                                        counters.countNotificationSent();
                                    }
                                }
                                drain();
                            });
        } catch (RuntimeException e) {
            permits.release();
            batch.forEach(delivery -> retryOrGiveUp(delivery, e));
            drain();
        }
    }

    /** SNS retries a failed delivery to SQS; so does this, a few times, with backoff. */
    private void retryOrGiveUp(Delivery delivery, Throwable error) {
        if (delivery.attempt() >= MAX_ATTEMPTS) {
            failed(delivery.queue(), delivery.inferenceId(), error);
            return;
        }
        try {
            scheduler.schedule(
                    () -> {
                        waiting.add(delivery.again());
                        drain();
                    },
                    RETRY_DELAY_MILLIS << delivery.attempt(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            // closing
        }
    }

    /** A notification to send; {@code bytes}: its body's size, counted once for the batches. */
    private record Delivery(String queue, String body, int bytes, String inferenceId, int attempt) {
        static Delivery first(String queue, String body, String inferenceId) {
            return new Delivery(
                    queue, body, body.getBytes(StandardCharsets.UTF_8).length, inferenceId, 1);
        }

        Delivery again() {
            return new Delivery(queue, body, bytes, inferenceId, attempt + 1);
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
