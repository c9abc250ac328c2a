package io.github.flinksagemaker.connector.notification;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link SdkSqsQueue} asks of the SDK, against a hand-written client: the SDK's own future
 * carries cancellation to the HTTP client, which aborts the request.
 */
class SdkSqsQueueTest {
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/results";

    /** Answers receives with futures the test completes; records visibility changes. */
    private static final class FakeSqsClient implements SqsAsyncClient {
        final List<CompletableFuture<ReceiveMessageResponse>> receives =
                new CopyOnWriteArrayList<>();
        final List<ChangeMessageVisibilityBatchRequest> visibilityChanges =
                new CopyOnWriteArrayList<>();
        boolean responseAlreadyOnItsWay;

        @Override
        public CompletableFuture<ReceiveMessageResponse> receiveMessage(
                ReceiveMessageRequest request) {
            CompletableFuture<ReceiveMessageResponse> receive =
                    responseAlreadyOnItsWay
                            // Too late to abort: the response is being read.
                            ? new CompletableFuture<>() {
                                @Override
                                public boolean cancel(boolean mayInterruptIfRunning) {
                                    return false;
                                }
                            }
                            : new CompletableFuture<>();
            receives.add(receive);
            return receive;
        }

        @Override
        public CompletableFuture<ChangeMessageVisibilityBatchResponse> changeMessageVisibilityBatch(
                ChangeMessageVisibilityBatchRequest request) {
            visibilityChanges.add(request);
            return CompletableFuture.completedFuture(
                    ChangeMessageVisibilityBatchResponse.builder().build());
        }

        @Override
        public CompletableFuture<GetQueueAttributesResponse> getQueueAttributes(
                GetQueueAttributesRequest request) {
            assertThat(request.attributeNames())
                    .containsExactly(QueueAttributeName.VISIBILITY_TIMEOUT);
            return CompletableFuture.completedFuture(
                    GetQueueAttributesResponse.builder()
                            .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "45"))
                            .build());
        }

        @Override
        public String serviceName() {
            return "sqs";
        }

        @Override
        public void close() {}
    }

    private final FakeSqsClient client = new FakeSqsClient();
    private final SdkSqsQueue queue = new SdkSqsQueue(client, QUEUE);

    @Test
    void cancellingAReceiveCancelsTheSdkRequest() {
        CompletableFuture<List<QueueMessage>> receive =
                queue.receive(10, Duration.ofSeconds(20), null);

        receive.cancel(true);

        assertThat(client.receives.get(0)).isCancelled();
        assertThat(client.visibilityChanges).isEmpty();
    }

    @Test
    void messagesOfAReceiveCancelledTooLateAreMadeVisibleAgainAtOnce() {
        client.responseAlreadyOnItsWay = true;
        CompletableFuture<List<QueueMessage>> receive =
                queue.receive(10, Duration.ofSeconds(20), null);
        receive.cancel(true);

        client.receives
                .get(0)
                .complete(
                        ReceiveMessageResponse.builder()
                                .messages(message("1"), message("2"))
                                .build());

        assertThat(client.visibilityChanges).hasSize(1);
        assertThat(client.visibilityChanges.get(0).queueUrl()).isEqualTo(QUEUE);
        assertThat(client.visibilityChanges.get(0).entries())
                .extracting(
                        ChangeMessageVisibilityBatchRequestEntry::receiptHandle,
                        ChangeMessageVisibilityBatchRequestEntry::visibilityTimeout)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("r-1", 0),
                        org.assertj.core.groups.Tuple.tuple("r-2", 0));
    }

    @Test
    void aReceiveThatCompletesHandsOverItsMessages() {
        CompletableFuture<List<QueueMessage>> receive =
                queue.receive(10, Duration.ofSeconds(20), null);
        client.receives
                .get(0)
                .complete(ReceiveMessageResponse.builder().messages(message("1")).build());

        assertThat(receive.join()).extracting(QueueMessage::receiptHandle).containsExactly("r-1");
        assertThat(client.visibilityChanges).isEmpty();
    }

    @Test
    void readsTheVisibilityTimeoutFromTheQueueAttributes() {
        assertThat(queue.visibilityTimeout().join()).isEqualTo(Duration.ofSeconds(45));
    }

    private static Message message(String id) {
        return Message.builder().messageId("m-" + id).receiptHandle("r-" + id).body("{}").build();
    }
}
