package io.github.flinksagemaker.connector.notification;

import org.apache.flink.annotation.Internal;

import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link SqsQueue} over the SDK's async SQS client, for one queue. */
@Internal
public final class SdkSqsQueue implements SqsQueue {
    private final SqsAsyncClient client;
    private final String queueUrl;

    public SdkSqsQueue(SqsAsyncClient client, String queueUrl) {
        this.client = client;
        this.queueUrl = queueUrl;
    }

    @Override
    public CompletableFuture<List<QueueMessage>> receive(
            int maxMessages, Duration waitTime, Duration visibilityTimeout) {
        return client.receiveMessage(
                        request -> {
                            request.queueUrl(queueUrl)
                                    // What stands in for a notification's missing eventTime.
                                    .messageSystemAttributeNames(
                                            MessageSystemAttributeName.SENT_TIMESTAMP)
                                    .maxNumberOfMessages(maxMessages)
                                    .waitTimeSeconds((int) waitTime.toSeconds());
                            if (visibilityTimeout != null) {
                                request.visibilityTimeout((int) visibilityTimeout.toSeconds());
                            }
                        })
                .thenApply(
                        response -> {
                            List<QueueMessage> messages =
                                    new ArrayList<>(response.messages().size());
                            for (Message message : response.messages()) {
                                messages.add(
                                        new QueueMessage(
                                                message.messageId(),
                                                message.receiptHandle(),
                                                message.body(),
                                                sentTimestamp(message)));
                            }
                            return messages;
                        });
    }

    /** The SentTimestamp attribute (epoch milliseconds), if the queue sent a readable one. */
    private static long sentTimestamp(Message message) {
        String sent = message.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP);
        if (sent == null) {
            return QueueMessage.UNKNOWN_SENT_TIME;
        }
        try {
            return Long.parseLong(sent);
        } catch (NumberFormatException e) {
            return QueueMessage.UNKNOWN_SENT_TIME;
        }
    }

    @Override
    public CompletableFuture<Integer> delete(List<String> receiptHandles) {
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(receiptHandles.size());
        for (int i = 0; i < receiptHandles.size(); i++) {
            entries.add(
                    DeleteMessageBatchRequestEntry.builder()
                            .id(Integer.toString(i))
                            .receiptHandle(receiptHandles.get(i))
                            .build());
        }
        return client.deleteMessageBatch(request -> request.queueUrl(queueUrl).entries(entries))
                .thenApply(response -> response.failed().size());
    }

    @Override
    public void close() {
        client.close();
    }
}
