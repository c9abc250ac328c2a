package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.SqsOperation;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counting front of the local SQS: long polls pass through it whole, query-protocol requests
 * are counted by their {@code Action}, and it adds little latency (no Nagle delay).
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
     * Measures the median added by the front over 1,000 GetQueueAttributes calls, against the same
     * calls straight to ElasticMQ, interleaved so both see the same load and warm code. Nagle's
     * algorithm with delayed ACKs would add ~40 ms.
     */
    @Test
    void theFrontAddsLittleLatency() {
        String url = local.createQueue("latency");
        try (SqsClient direct = sqsAt(local.sqsBackendEndpoint())) {
            for (int i = 0; i < 500; i++) {
                time(sqs, url);
                time(direct, url);
            }
            long[] front = new long[1_000];
            long[] backend = new long[1_000];
            for (int i = 0; i < front.length; i++) {
                front[i] = time(sqs, url);
                backend[i] = time(direct, url);
            }
            Arrays.sort(front);
            Arrays.sort(backend);
            double frontMedian = front[front.length / 2] / 1e6;
            double backendMedian = backend[backend.length / 2] / 1e6;
            System.out.printf(
                    "Local SQS front: p50 %.3f ms, ElasticMQ direct: p50 %.3f ms, added %.3f ms%n",
                    frontMedian, backendMedian, frontMedian - backendMedian);
            assertThat(frontMedian - backendMedian).isLessThan(10.0);
        }
    }

    private static long time(SqsClient client, String url) {
        long start = System.nanoTime();
        client.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("All"));
        return System.nanoTime() - start;
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
