package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.SqsOperation;
import io.github.flinksagemaker.local.model.LocalModel;
import io.github.flinksagemaker.local.model.ModelResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncRequest;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoints' completion notifications, read with the real SDK SqsClient over HTTP: the exact
 * SageMaker JSON of successes and failures, raw and in the SNS envelope, the 128,000-byte limit of
 * an included response, the delivery faults, and which SQS requests are counted.
 */
class NotificationsITCase {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TIME_PATTERN =
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    /** Echoes the payload, except that a payload "fail" is a model error. */
    private static final LocalModel ECHO_OR_FAIL =
            request ->
                    new String(request.body(), StandardCharsets.UTF_8).equals("fail")
                            ? ModelResponse.error("Model said no")
                            : ModelResponse.success(request.body(), "application/x-echo");

    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalSageMakerAsync local;
    private static SageMakerRuntimeAsyncClient sageMaker;
    private static S3AsyncClient s3;
    private static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        sageMaker =
                LocalClients.sageMaker(
                        local, software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry());
        s3 = LocalClients.s3(local);
        sqs = LocalClients.sqs(local);
    }

    @AfterAll
    static void stop() throws Exception {
        sqs.close();
        s3.close();
        sageMaker.close();
        local.close();
    }

    @BeforeEach
    void resetCounters() {
        local.counters().reset();
    }

    /** Registers an endpoint serving {@link #ECHO_OR_FAIL} with these notifications. */
    private static void register(String name, LocalNotifications notifications) {
        local.registerEndpoint(
                LocalEndpointConfig.builder(name)
                        .s3OutputPath("s3://" + local.bucket() + "/" + name + "/output")
                        .s3FailurePath("s3://" + local.bucket() + "/" + name + "/failure")
                        .model(ECHO_OR_FAIL)
                        .notifications(notifications)
                        .build());
    }

    private static InvokeEndpointAsyncResponse invoke(
            String endpoint, UnaryOperator<InvokeEndpointAsyncRequest.Builder> request) {
        return sageMaker
                .invokeEndpointAsync(
                        request.apply(InvokeEndpointAsyncRequest.builder().endpointName(endpoint))
                                .build())
                .join();
    }

    private static InvokeEndpointAsyncResponse invokeInline(String endpoint, String body) {
        return invoke(endpoint, r -> r.body(SdkBytes.fromUtf8String(body)));
    }

    private static String queueUrl(String name) {
        return sqs.getQueueUrl(r -> r.queueName(name)).queueUrl();
    }

    /** Receives until {@code count} messages arrived (deleting them) or the wait is over. */
    private static List<Message> receive(String queue, int count) {
        String url = queueUrl(queue);
        List<Message> messages = new ArrayList<>();
        Instant deadline = Instant.now().plus(WAIT);
        while (messages.size() < count && Instant.now().isBefore(deadline)) {
            List<Message> batch =
                    sqs.receiveMessage(
                                    r ->
                                            r.queueUrl(url)
                                                    .maxNumberOfMessages(10)
                                                    .waitTimeSeconds(1)
                                                    .messageSystemAttributeNames(
                                                            MessageSystemAttributeName
                                                                    .SENT_TIMESTAMP))
                            .messages();
            for (Message message : batch) {
                sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
            }
            messages.addAll(batch);
        }
        assertThat(messages).as("messages on %s", queue).hasSize(count);
        return messages;
    }

    /** Asserts a queue gets no message within {@code wait}. */
    private static void assertEmpty(String queue, Duration wait) {
        String url = queueUrl(queue);
        Instant deadline = Instant.now().plus(wait);
        do {
            assertThat(sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(1)).messages())
                    .as("messages on %s", queue)
                    .isEmpty();
        } while (Instant.now().isBefore(deadline));
    }

    private static JsonNode only(String queue) throws Exception {
        return JSON.readTree(receive(queue, 1).get(0).body());
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String text(String location) throws Exception {
        return LocalClients.awaitObject(s3, location, WAIT).asUtf8String();
    }

    @Test
    void aSuccessInRawModeIsTheSageMakerJsonWithExactlyItsFields() throws Exception {
        register(
                "raw-success",
                LocalNotifications.builder()
                        .successQueue("raw-success-ok")
                        .errorQueue("raw-success-errors")
                        .build());
        Instant before = Instant.now();
        InvokeEndpointAsyncResponse response =
                invoke(
                        "raw-success",
                        r ->
                                r.body(SdkBytes.fromUtf8String("hello"))
                                        .contentType("text/plain")
                                        .accept("application/json")
                                        .customAttributes("trace=1")
                                        .inferenceId("raw-success-1"));

        JsonNode message = only("raw-success-ok");

        assertThat(names(message))
                .containsExactly(
                        "awsRegion",
                        "eventTime",
                        "receivedTime",
                        "invocationStatus",
                        "requestParameters",
                        "responseParameters",
                        "responseBody",
                        "inferenceId",
                        "eventVersion",
                        "eventSource",
                        "eventName");
        assertThat(message.get("awsRegion").asText()).isEqualTo("us-east-1");
        assertThat(message.get("invocationStatus").asText()).isEqualTo("Completed");
        assertThat(message.get("inferenceId").asText()).isEqualTo("raw-success-1");
        assertThat(message.get("eventVersion").asText()).isEqualTo("1.0");
        assertThat(message.get("eventSource").asText()).isEqualTo("aws:sagemaker");
        assertThat(message.get("eventName").asText()).isEqualTo("InferenceResult");
        assertThat(message.get("eventTime").asText()).matches(TIME_PATTERN);
        assertThat(message.get("receivedTime").asText()).matches(TIME_PATTERN);
        Instant received = Instant.parse(message.get("receivedTime").asText());
        Instant written = Instant.parse(message.get("eventTime").asText());
        assertThat(received).isAfterOrEqualTo(before.minusMillis(1)).isBeforeOrEqualTo(written);

        JsonNode request = message.get("requestParameters");
        assertThat(names(request))
                .containsExactly("accept", "contentType", "customAttributes", "endpointName");
        assertThat(request.get("accept").asText()).isEqualTo("application/json");
        assertThat(request.get("contentType").asText()).isEqualTo("text/plain");
        assertThat(request.get("customAttributes").asText()).isEqualTo("trace=1");
        assertThat(request.get("endpointName").asText()).isEqualTo("raw-success");

        JsonNode result = message.get("responseParameters");
        assertThat(names(result)).containsExactly("contentType", "outputLocation");
        assertThat(result.get("contentType").asText()).isEqualTo("application/x-echo");
        assertThat(result.get("outputLocation").asText()).isEqualTo(response.outputLocation());
        assertThat(text(response.outputLocation())).isEqualTo("hello");

        JsonNode body = message.get("responseBody");
        assertThat(names(body)).containsExactly("content", "message", "encoding");
        assertThat(Base64.getDecoder().decode(body.get("content").asText()))
                .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(body.get("message").asText())
                .isEqualTo("Response is included in the notification");
        assertThat(body.get("encoding").asText()).isEqualTo("BASE64");

        assertEmpty("raw-success-errors", Duration.ofMillis(500));
        assertThat(local.counters().notificationsSent()).isEqualTo(1);
    }

    @Test
    void aFailureInRawModeGoesToTheErrorQueueWithTheFailureObjectsText() throws Exception {
        register(
                "raw-failure",
                LocalNotifications.builder()
                        .successQueue("raw-failure-ok")
                        .errorQueue("raw-failure-errors")
                        .build());
        String input = "s3://" + local.bucket() + "/inputs/raw-failure";
        s3.putObject(
                        r -> r.bucket(local.bucket()).key("inputs/raw-failure"),
                        AsyncRequestBody.fromString("fail"))
                .join();
        InvokeEndpointAsyncResponse response =
                invoke("raw-failure", r -> r.inputLocation(input).inferenceId("raw-failure-1"));

        JsonNode message = only("raw-failure-errors");

        assertThat(names(message))
                .containsExactly(
                        "awsRegion",
                        "eventTime",
                        "receivedTime",
                        "invocationStatus",
                        "failureReason",
                        "requestParameters",
                        "responseParameters",
                        "inferenceId",
                        "eventVersion",
                        "eventSource",
                        "eventName");
        assertThat(message.get("invocationStatus").asText()).isEqualTo("Failed");
        assertThat(message.get("failureReason").asText())
                .isEqualTo(text(response.failureLocation()))
                .isEqualTo("Model said no");
        JsonNode request = message.get("requestParameters");
        assertThat(names(request)).containsExactly("endpointName", "inputLocation");
        assertThat(request.get("inputLocation").asText()).isEqualTo(input);
        JsonNode result = message.get("responseParameters");
        assertThat(names(result)).containsExactly("contentType", "failureLocation");
        assertThat(result.get("contentType").asText()).isEqualTo("text/plain; charset=utf-8");
        assertThat(result.get("failureLocation").asText()).isEqualTo(response.failureLocation());
        assertThat(message.get("inferenceId").asText()).isEqualTo("raw-failure-1");

        assertEmpty("raw-failure-ok", Duration.ofMillis(500));
    }

    @Test
    void envelopeModeWrapsSuccessesAndFailuresInAnSnsNotification() throws Exception {
        register(
                "envelope",
                LocalNotifications.builder()
                        .successQueue("envelope-all")
                        .errorQueue("envelope-all")
                        .rawDelivery(false)
                        .build());
        InvokeEndpointAsyncResponse success = invokeInline("envelope", "fine");
        receiveEnvelopeAndCheck(success.inferenceId(), "Completed", success.outputLocation());
        InvokeEndpointAsyncResponse failure = invokeInline("envelope", "fail");
        JsonNode failed =
                receiveEnvelopeAndCheck(failure.inferenceId(), "Failed", failure.failureLocation());
        assertThat(failed.get("failureReason").asText()).isEqualTo("Model said no");
    }

    private static JsonNode receiveEnvelopeAndCheck(
            String inferenceId, String status, String location) throws Exception {
        JsonNode envelope = only("envelope-all");
        assertThat(names(envelope))
                .containsExactly(
                        "Type",
                        "MessageId",
                        "TopicArn",
                        "Message",
                        "Timestamp",
                        "SignatureVersion",
                        "Signature",
                        "SigningCertURL",
                        "UnsubscribeURL");
        assertThat(envelope.get("Type").asText()).isEqualTo("Notification");
        assertThat(UUID.fromString(envelope.get("MessageId").asText())).isNotNull();
        assertThat(envelope.get("TopicArn").asText())
                .isEqualTo("arn:aws:sns:us-east-1:000000000000:envelope-all-topic");
        assertThat(envelope.get("Timestamp").asText()).matches(TIME_PATTERN);
        assertThat(envelope.get("SignatureVersion").asText()).isEqualTo("1");
        assertThat(envelope.get("Signature").asText()).isEqualTo("bG9jYWw=");
        assertThat(envelope.get("SigningCertURL").asText())
                .isEqualTo("https://sns.us-east-1.amazonaws.com/local.pem");
        assertThat(envelope.get("UnsubscribeURL").asText())
                .isEqualTo("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe");
        assertThat(envelope.get("Message").isTextual()).isTrue();

        JsonNode message = JSON.readTree(envelope.get("Message").asText());
        assertThat(message.get("inferenceId").asText()).isEqualTo(inferenceId);
        assertThat(message.get("invocationStatus").asText()).isEqualTo(status);
        JsonNode result = message.get("responseParameters");
        assertThat(
                        result.has("outputLocation")
                                ? result.get("outputLocation").asText()
                                : result.get("failureLocation").asText())
                .isEqualTo(location);
        return message;
    }

    @Test
    void theResponseIsIncludedUpTo128000BytesAndNotAbove() throws Exception {
        register(
                "sizes",
                LocalNotifications.builder()
                        .successQueue("sizes-ok")
                        .errorQueue("sizes-ok")
                        .build());
        byte[] limit = new byte[LocalNotifications.MAX_INCLUDED_RESPONSE_BYTES];
        Arrays.fill(limit, (byte) 'a');
        invoke("sizes", r -> r.body(SdkBytes.fromByteArray(limit)));
        JsonNode atLimit = only("sizes-ok");
        assertThat(Base64.getDecoder().decode(atLimit.get("responseBody").get("content").asText()))
                .isEqualTo(limit);

        byte[] above = new byte[LocalNotifications.MAX_INCLUDED_RESPONSE_BYTES + 1];
        Arrays.fill(above, (byte) 'b');
        s3.putObject(
                        r -> r.bucket(local.bucket()).key("inputs/above"),
                        AsyncRequestBody.fromBytes(above))
                .join();
        InvokeEndpointAsyncResponse aboveResponse =
                invoke("sizes", r -> r.inputLocation("s3://" + local.bucket() + "/inputs/above"));
        JsonNode aboveLimit = only("sizes-ok");
        assertThat(aboveLimit.has("responseBody")).isFalse();
        assertThat(aboveLimit.get("invocationStatus").asText()).isEqualTo("Completed");
        assertThat(aboveLimit.get("responseParameters").get("outputLocation").asText())
                .isEqualTo(aboveResponse.outputLocation());
        assertThat(LocalClients.awaitObject(s3, aboveResponse.outputLocation(), WAIT).asByteArray())
                .isEqualTo(above);
    }

    @Test
    void aResponseIsNotIncludedWhenTheConfigSaysSo() throws Exception {
        register(
                "no-response",
                LocalNotifications.builder()
                        .successQueue("no-response-ok")
                        .includeInferenceResponse(false)
                        .build());
        invokeInline("no-response", "small");
        JsonNode message = only("no-response-ok");
        assertThat(message.has("responseBody")).isFalse();
        assertThat(message.get("responseParameters").has("outputLocation")).isTrue();
    }

    @Test
    void anEndpointWithoutAnErrorQueueSendsNoErrorNotification() throws Exception {
        register("success-only", LocalNotifications.builder().successQueue("success-only").build());
        InvokeEndpointAsyncResponse failure = invokeInline("success-only", "fail");
        assertThat(text(failure.failureLocation())).isEqualTo("Model said no");
        assertEmpty("success-only", Duration.ofMillis(500));
        assertThat(local.counters().notificationsSent()).isZero();
    }

    @Test
    void duplicateFractionOneSendsEveryNotificationTwice() throws Exception {
        register("duplicates", LocalNotifications.builder().successQueue("duplicates").build());
        local.setNotificationFaults("duplicates", 1.0, 0.0, Duration.ZERO, Duration.ZERO);
        InvokeEndpointAsyncResponse response = invokeInline("duplicates", "twice");
        List<Message> messages = receive("duplicates", 2);
        assertThat(messages.get(0).messageId()).isNotEqualTo(messages.get(1).messageId());
        assertThat(messages.get(0).body()).isEqualTo(messages.get(1).body());
        assertThat(JSON.readTree(messages.get(0).body()).get("inferenceId").asText())
                .isEqualTo(response.inferenceId());
        assertEmpty("duplicates", Duration.ofMillis(500));
        assertThat(local.counters().notificationsDuplicated()).isEqualTo(1);
        assertThat(local.counters().notificationsSent()).isEqualTo(2);
    }

    /**
     * JDK HttpClient.sendAsync completes on the common pool, which starts a thread per task on one
     * or two cores: one thread per notification, 20,000 in a benchmark run. The publisher must not.
     */
    @Test
    void publishingNotificationsStartsNoThreadPerNotification() throws Exception {
        register("many", LocalNotifications.builder().successQueue("many").build());
        // First fill the pools (the server's fixed pool starts a thread per task up to its size).
        invokeAndAwaitNotifications("many", 200);
        long threadsBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        int notifications = 300;
        invokeAndAwaitNotifications("many", notifications);
        long threadsStarted =
                ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threadsBefore;
        assertThat(threadsStarted)
                .as("threads started while sending %d notifications", notifications)
                .isLessThan(notifications / 10);
    }

    private static void invokeAndAwaitNotifications(String endpoint, int count)
            throws InterruptedException {
        long sent = local.counters().notificationsSent();
        for (int i = 0; i < count; i++) {
            invokeInline(endpoint, "n" + i);
        }
        Instant deadline = Instant.now().plus(WAIT);
        while (local.counters().notificationsSent() < sent + count
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertThat(local.counters().notificationsSent()).isEqualTo(sent + count);
    }

    @Test
    void dropFractionOneSendsNothing() throws Exception {
        register(
                "drops",
                LocalNotifications.builder()
                        .successQueue("drops")
                        .errorQueue("drops")
                        .dropFraction(1.0)
                        .build());
        InvokeEndpointAsyncResponse success = invokeInline("drops", "lost");
        InvokeEndpointAsyncResponse failure = invokeInline("drops", "fail");
        assertThat(text(success.outputLocation())).isEqualTo("lost");
        assertThat(text(failure.failureLocation())).isEqualTo("Model said no");
        assertEmpty("drops", Duration.ofSeconds(1));
        assertThat(local.counters().notificationsDropped()).isEqualTo(2);
        assertThat(local.counters().notificationsSent()).isZero();

        local.setNotificationFaults("drops", 0.0, 0.0, Duration.ZERO, Duration.ZERO);
        invokeInline("drops", "found");
        assertThat(only("drops").get("responseBody").get("content").asText())
                .isEqualTo(
                        Base64.getEncoder()
                                .encodeToString("found".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eachNotificationIsSentWithinTheDelayRangeAfterTheResultIsWritten() throws Exception {
        register(
                "delayed",
                LocalNotifications.builder()
                        .successQueue("delayed")
                        .delay(Duration.ofMillis(700), Duration.ofMillis(900))
                        .build());
        for (int i = 0; i < 3; i++) {
            invokeInline("delayed", "late-" + i);
        }
        for (Message message : receive("delayed", 3)) {
            Instant written =
                    Instant.parse(JSON.readTree(message.body()).get("eventTime").asText());
            Instant sent =
                    Instant.ofEpochMilli(
                            Long.parseLong(
                                    message.attributes()
                                            .get(MessageSystemAttributeName.SENT_TIMESTAMP)));
            // Both have millisecond precision; the send may end a little after the delay.
            assertThat(Duration.between(written, sent))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(699))
                    .isLessThan(Duration.ofMillis(900 + 500));
        }
    }

    @Test
    void countsClientRequestsByActionButNotTheEndpointsOwnSendMessage() throws Exception {
        register("counted", LocalNotifications.builder().successQueue("counted").build());
        String url = local.createQueue("counted");
        local.counters().reset();

        invokeInline("counted", "count me");
        Message first = null;
        int receives = 0;
        Instant deadline = Instant.now().plus(WAIT);
        while (first == null && Instant.now().isBefore(deadline)) {
            receives++;
            List<Message> batch =
                    sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(1)).messages();
            first = batch.isEmpty() ? null : batch.get(0);
        }
        assertThat(first).isNotNull();
        String handle = first.receiptHandle();
        sqs.changeMessageVisibility(
                r -> r.queueUrl(url).receiptHandle(handle).visibilityTimeout(0));
        sqs.changeMessageVisibilityBatch(
                r ->
                        r.queueUrl(url)
                                .entries(
                                        ChangeMessageVisibilityBatchRequestEntry.builder()
                                                .id("1")
                                                .receiptHandle(handle)
                                                .visibilityTimeout(0)
                                                .build()));
        sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("All"));
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("from the client"));
        sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(handle));
        sqs.deleteMessageBatch(
                r ->
                        r.queueUrl(url)
                                .entries(
                                        DeleteMessageBatchRequestEntry.builder()
                                                .id("1")
                                                .receiptHandle(handle)
                                                .build()));
        sqs.listQueues();
        sqs.purgeQueue(r -> r.queueUrl(url));

        LocalCounters counters = local.counters();
        assertThat(counters.notificationsSent()).isEqualTo(1);
        assertThat(counters.sqsRequests(SqsOperation.RECEIVE_MESSAGE)).isEqualTo(receives);
        assertThat(counters.sqsRequests(SqsOperation.CHANGE_MESSAGE_VISIBILITY)).isEqualTo(1);
        assertThat(counters.sqsRequests(SqsOperation.CHANGE_MESSAGE_VISIBILITY_BATCH)).isEqualTo(1);
        assertThat(counters.sqsRequests(SqsOperation.GET_QUEUE_ATTRIBUTES)).isEqualTo(1);
        // The client's own, not the notification the endpoint sent.
        assertThat(counters.sqsRequests(SqsOperation.SEND_MESSAGE)).isEqualTo(1);
        assertThat(counters.sqsRequests(SqsOperation.DELETE_MESSAGE)).isEqualTo(1);
        assertThat(counters.sqsRequests(SqsOperation.DELETE_MESSAGE_BATCH)).isEqualTo(1);
        assertThat(counters.sqsRequests(SqsOperation.OTHER)).isEqualTo(2);
        assertThat(counters.sqsRequestsTotal()).isEqualTo(receives + 8);
        assertThat(counters.toString()).contains("RECEIVE_MESSAGE=" + receives);

        counters.reset();
        assertThat(counters.sqsRequestsTotal()).isZero();
        assertThat(counters.notificationsSent()).isZero();
    }

    @Test
    void createQueueIsIdempotentAndTheConnectorOptionsNameTheSqsEndpoint() {
        String url = local.createQueue("idempotent");
        assertThat(local.createQueue("idempotent")).isEqualTo(url);
        assertThat(url).startsWith(local.sqsEndpoint().toString()).endsWith("/idempotent");
        assertThat(queueUrl("idempotent")).isEqualTo(url);
        assertThat(local.connectorAwsOptions())
                .containsEntry("aws.sqs.endpoint", local.sqsEndpoint().toString());
    }
}
