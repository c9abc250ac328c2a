package io.github.flinksagemaker.benchmarks;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What the local SQS's counting front (which every SQS request of section 4 goes through) adds to
 * one request, against ElasticMQ directly: the cycle a notification goes through (SendMessage,
 * ReceiveMessage of it, DeleteMessage), each request timed, the two paths interleaved within one
 * run so that both see the same load, JIT and GC, and the order swapped every cycle.
 */
final class SqsFrontLatencyBenchmark implements AutoCloseable {
    static final int MESSAGE_BYTES = 1_024;
    static final int WARMUP_CYCLES = 300;

    private final SqsClient front;
    private final SqsClient direct;
    private final String frontQueue;
    private final String directQueue;
    private final String body;

    SqsFrontLatencyBenchmark(LocalSetup setup) {
        this.front = client(setup, setup.local.sqsEndpoint());
        this.direct = client(setup, setup.local.sqsBackendEndpoint());
        this.frontQueue = setup.local.createQueue("bench-sqs-front");
        this.directQueue = setup.local.createQueue("bench-sqs-direct");
        this.body = new String(LocalSetup.payload(0, MESSAGE_BYTES), StandardCharsets.UTF_8);
        for (int i = 0; i < WARMUP_CYCLES; i++) {
            cycle(front, frontQueue, null);
            cycle(direct, directQueue, null);
        }
    }

    /** Per-request latencies in milliseconds of {@code cycles} cycles each: front, direct. */
    Samples[] run(int cycles) {
        Samples throughFront = new Samples();
        Samples straight = new Samples();
        for (int i = 0; i < cycles; i++) {
            if (i % 2 == 0) {
                cycle(front, frontQueue, throughFront);
                cycle(direct, directQueue, straight);
            } else {
                cycle(direct, directQueue, straight);
                cycle(front, frontQueue, throughFront);
            }
        }
        return new Samples[] {throughFront, straight};
    }

    private void cycle(SqsClient client, String queue, Samples latencies) {
        long start = System.nanoTime();
        client.sendMessage(r -> r.queueUrl(queue).messageBody(body));
        long sent = System.nanoTime();
        List<Message> messages =
                client.receiveMessage(
                                r -> r.queueUrl(queue).maxNumberOfMessages(1).waitTimeSeconds(1))
                        .messages();
        long received = System.nanoTime();
        if (messages.size() != 1) {
            throw new IllegalStateException(
                    "Expected the message just sent on " + queue + ", got " + messages.size());
        }
        client.deleteMessage(r -> r.queueUrl(queue).receiptHandle(messages.get(0).receiptHandle()));
        long deleted = System.nanoTime();
        if (latencies != null) {
            latencies.add((sent - start) / 1e6);
            latencies.add((received - sent) / 1e6);
            latencies.add((deleted - received) / 1e6);
        }
    }

    private static SqsClient client(LocalSetup setup, URI endpoint) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(setup.local.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        setup.local.accessKeyId(), setup.local.secretAccessKey())))
                .build();
    }

    @Override
    public void close() {
        front.close();
        direct.close();
    }
}
