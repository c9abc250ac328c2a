package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.SqsOperation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counting front of the local SQS: long polls pass through it whole, query-protocol requests
 * are counted by their {@code Action}, and JSON-protocol requests are forwarded unchanged and
 * counted once. How much latency it adds is a benchmark (docs/benchmarks.md), not a test.
 */
class LocalSqsFrontITCase {
    private static LocalSageMakerAsync local;
    private static SqsClient sqs;

    @BeforeAll
    static void start() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        sqs = LocalClients.sqs(local);
    }

    @AfterAll
    static void stop() throws Exception {
        sqs.close();
        local.close();
    }

    @Test
    void aTwentySecondLongPollPassesThroughAndEndsWhenAMessageArrives() throws Exception {
        String url = local.createQueue("long-poll");
        long start = System.nanoTime();
        ReceiveMessageResponse empty = sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(20));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(empty.messages()).isEmpty();
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofSeconds(19));

        CompletableFuture<ReceiveMessageResponse> poll =
                CompletableFuture.supplyAsync(
                        () -> sqs.receiveMessage(r -> r.queueUrl(url).waitTimeSeconds(20)));
        Thread.sleep(500);
        long sent = System.nanoTime();
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("wake up"));
        ReceiveMessageResponse woken = poll.join();
        assertThat(woken.messages()).hasSize(1);
        assertThat(woken.messages().get(0).body()).isEqualTo("wake up");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void countsQueryProtocolRequestsByTheirAction() throws Exception {
        String url = local.createQueue("query-protocol");
        long before = local.counters().sqsRequests(SqsOperation.GET_QUEUE_ATTRIBUTES);
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> response =
                client.send(
                        HttpRequest.newBuilder(local.sqsEndpoint())
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "Action=GetQueueAttributes&AttributeName.1=All"
                                                        + "&QueueUrl="
                                                        + URLEncoder.encode(
                                                                url, StandardCharsets.UTF_8)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("GetQueueAttributesResponse");
        assertThat(local.counters().sqsRequests(SqsOperation.GET_QUEUE_ATTRIBUTES))
                .isEqualTo(before + 1);
    }

    /**
     * What the front adds is measured in the benchmarks (docs/benchmarks.md, section 4), side by
     * side with ElasticMQ directly; here only that it forwards unchanged and counts.
     */
    @Test
    void aJsonProtocolRequestThroughTheFrontIsAnsweredAsElasticMqAnswersItAndCountedOnce() {
        String url = local.createQueue("forwarded");
        sqs.sendMessage(r -> r.queueUrl(url).messageBody("counted"));
        try (SqsClient direct = sqsAt(local.sqsBackendEndpoint())) {
            long before = local.counters().sqsRequests(SqsOperation.GET_QUEUE_ATTRIBUTES);
            Map<QueueAttributeName, String> throughFront = attributes(sqs, url);
            assertThat(local.counters().sqsRequests(SqsOperation.GET_QUEUE_ATTRIBUTES))
                    .isEqualTo(before + 1);
            Map<QueueAttributeName, String> straight = attributes(direct, url);
            assertThat(local.counters().sqsRequests(SqsOperation.GET_QUEUE_ATTRIBUTES))
                    .as("requests straight to ElasticMQ are not counted")
                    .isEqualTo(before + 1);
            assertThat(throughFront)
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "1")
                    .isEqualTo(straight);
        }
    }

    private static Map<QueueAttributeName, String> attributes(SqsClient client, String url) {
        return client.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("All"))
                .attributes();
    }

    private static SqsClient sqsAt(URI endpoint) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(local.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        local.accessKeyId(), local.secretAccessKey())))
                .build();
    }
}
