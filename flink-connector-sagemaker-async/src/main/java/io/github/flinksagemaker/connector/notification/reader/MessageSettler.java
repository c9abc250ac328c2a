package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.notification.SqsQueue;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Deletes messages (their checkpoint completed) or releases them (no checkpoint known to have
 * completed covers them, so a restarted job needs them now), ten per request, and keeps the
 * requests in flight so that a closing reader can let them finish: a delete aborted by closing the
 * client leaves its message to come back as a second copy, a release aborted leaves it invisible
 * for the visibility timeout. Used from the mailbox and fetcher threads.
 */
@Internal
final class MessageSettler {
    private static final Logger LOG = LoggerFactory.getLogger(MessageSettler.class);

    private final SqsQueue queue;
    private final String queueUrl;
    private final NotificationMetrics metrics;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();

    MessageSettler(SqsQueue queue, String queueUrl, NotificationMetrics metrics) {
        this.queue = queue;
        this.queueUrl = queueUrl;
        this.metrics = metrics;
    }

    void delete(List<String> receiptHandles) {
        forEachBatch(
                receiptHandles,
                batch ->
                        track(queue.delete(batch))
                                .whenComplete(
                                        (failed, error) -> {
                                            int notDeleted = error != null ? batch.size() : failed;
                                            metrics.messagesDeleted.inc(batch.size() - notDeleted);
                                            if (notDeleted > 0) {
                                                metrics.deleteFailures.inc(notDeleted);
                                                LOG.warn(
                                                        "Could not delete {} of {} SQS messages"
                                                                + "{}; they come back after their"
                                                                + " visibility timeout and are"
                                                                + " dropped as second copies",
                                                        notDeleted,
                                                        batch.size(),
                                                        describe(error));
                                            }
                                        }));
    }

    /** Best effort: what cannot be released comes back after its visibility timeout anyway. */
    void release(List<String> receiptHandles) {
        forEachBatch(
                receiptHandles,
                batch ->
                        track(queue.release(batch))
                                .whenComplete(
                                        (failed, error) -> {
                                            int notReleased = error != null ? batch.size() : failed;
                                            metrics.messagesReleased.inc(
                                                    batch.size() - notReleased);
                                            if (notReleased > 0) {
                                                LOG.info(
                                                        "Could not make {} of {} SQS messages of"
                                                                + " {} visible again{}; they come"
                                                                + " back after their visibility"
                                                                + " timeout",
                                                        notReleased,
                                                        batch.size(),
                                                        queueUrl,
                                                        describe(error));
                                            }
                                        }));
    }

    /** Waits up to {@code timeout} for the deletes and releases issued so far. */
    void awaitInFlight(Duration timeout) {
        CompletableFuture<?>[] requests = inFlight.toArray(new CompletableFuture<?>[0]);
        if (requests.length == 0) {
            return;
        }
        try {
            CompletableFuture.allOf(requests).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn(
                    "{} SQS delete or release requests to {} did not finish within {}; closing"
                            + " the client aborts them, and their messages come back after"
                            + " their visibility timeout",
                    inFlight.size(),
                    queueUrl,
                    timeout);
        } catch (ExecutionException e) {
            // each request logged its own failure
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> CompletableFuture<T> track(CompletableFuture<T> request) {
        inFlight.add(request);
        request.whenComplete((result, error) -> inFlight.remove(request));
        return request;
    }

    private static void forEachBatch(List<String> receiptHandles, Consumer<List<String>> send) {
        for (int from = 0; from < receiptHandles.size(); from += SqsQueue.MAX_BATCH) {
            send.accept(
                    List.copyOf(
                            receiptHandles.subList(
                                    from,
                                    Math.min(receiptHandles.size(), from + SqsQueue.MAX_BATCH))));
        }
    }

    private static String describe(Throwable error) {
        return error != null ? ": " + AwsErrors.describe(error) : "";
    }
}
