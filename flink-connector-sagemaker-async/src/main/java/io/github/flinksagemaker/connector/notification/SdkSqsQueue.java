package io.github.flinksagemaker.connector.notification;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link SqsQueue} over the SDK's async SQS client, for one queue. */
@Internal
public final class SdkSqsQueue implements SqsQueue {
    private static final Logger LOG = LoggerFactory.getLogger(SdkSqsQueue.class);

    private final SqsAsyncClient client;
    private final String queueUrl;

    public SdkSqsQueue(SqsAsyncClient client, String queueUrl) {
        this.client = client;
        this.queueUrl = queueUrl;
    }

    @Override
    public CompletableFuture<List<QueueMessage>> receive(
            int maxMessages, Duration waitTime, Duration visibilityTimeout) {
        CompletableFuture<ReceiveMessageResponse> request =
                client.receiveMessage(
                        builder -> {
                            builder.queueUrl(queueUrl)
                                    // What stands in for a notification's missing eventTime.
                                    .messageSystemAttributeNames(
                                            MessageSystemAttributeName.SENT_TIMESTAMP)
                                    .maxNumberOfMessages(maxMessages)
                                    .waitTimeSeconds((int) waitTime.toSeconds());
                            if (visibilityTimeout != null) {
                                builder.visibilityTimeout((int) visibilityTimeout.toSeconds());
                            }
                        });
        CompletableFuture<List<QueueMessage>> result = new CompletableFuture<>();
        request.whenComplete(
                (response, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                        return;
                    }
                    List<QueueMessage> messages = messagesOf(response);
                    if (!result.complete(messages) && !messages.isEmpty()) {
                        // Cancelled while the response was on its way: nobody will use these.
                        releaseQuietly(messages);
                    }
                });
        // A future derived with thenApply would not pass its cancellation on; the SDK's own future
        // does, to the HTTP client, which aborts the request.
        result.whenComplete(
                (messages, error) -> {
                    if (result.isCancelled()) {
                        request.cancel(true);
                    }
                });
        return result;
    }

    private static List<QueueMessage> messagesOf(ReceiveMessageResponse response) {
        List<QueueMessage> messages = new ArrayList<>(response.messages().size());
        for (Message message : response.messages()) {
            messages.add(
                    new QueueMessage(
                            message.messageId(),
                            message.receiptHandle(),
                            message.body(),
                            sentTimestamp(message)));
        }
        return messages;
    }

    private void releaseQuietly(List<QueueMessage> messages) {
        for (int from = 0; from < messages.size(); from += MAX_BATCH) {
            List<String> handles = new ArrayList<>();
            messages.subList(from, Math.min(messages.size(), from + MAX_BATCH))
                    .forEach(message -> handles.add(message.receiptHandle()));
            release(handles)
                    .whenComplete(
                            (failed, error) -> {
                                if (error != null || failed > 0) {
                                    LOG.debug(
                                            "Could not release messages of a cancelled receive"
                                                    + " from {}; they come back after their"
                                                    + " visibility timeout",
                                            queueUrl,
                                            error);
                                }
                            });
        }
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
    public CompletableFuture<Integer> release(List<String> receiptHandles) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries =
                new ArrayList<>(receiptHandles.size());
        for (int i = 0; i < receiptHandles.size(); i++) {
            entries.add(
                    ChangeMessageVisibilityBatchRequestEntry.builder()
                            .id(Integer.toString(i))
                            .receiptHandle(receiptHandles.get(i))
                            .visibilityTimeout(0)
                            .build());
        }
        return client.changeMessageVisibilityBatch(
                        request -> request.queueUrl(queueUrl).entries(entries))
                .thenApply(response -> response.failed().size());
    }

    @Override
    public CompletableFuture<Duration> visibilityTimeout() {
        return client.getQueueAttributes(
                        request ->
                                request.queueUrl(queueUrl)
                                        .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT))
                .thenApply(
                        response ->
                                Duration.ofSeconds(
                                        Long.parseLong(
                                                response.attributes()
                                                        .get(
                                                                QueueAttributeName
                                                                        .VISIBILITY_TIMEOUT))));
    }

    @Override
    public void close() {
        client.close();
    }
}
