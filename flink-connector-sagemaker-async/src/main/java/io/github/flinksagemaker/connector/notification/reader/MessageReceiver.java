package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FailureBackoff;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsQueue;

import org.apache.flink.annotation.Internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Long-polls the queue for the split reader: keeps up to {@code receive-concurrency} receives in
 * flight while messages keep coming and one when idle, ends a wait on {@link #wakeUp} without
 * losing what the receives in flight bring, backs off after a failed receive, fails the job on an
 * error that retrying cannot fix, and aborts the receives in flight when told to stop. Used from
 * the fetcher thread; only {@link #wakeUp} is called from others.
 */
@Internal
final class MessageReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(MessageReceiver.class);

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** What a receive answers when the job cannot use the queue at all: retrying cannot help. */
    private static final Set<AwsErrorKind> FATAL_KINDS =
            EnumSet.of(
                    AwsErrorKind.CREDENTIALS,
                    AwsErrorKind.ACCESS_DENIED,
                    AwsErrorKind.NO_SUCH_QUEUE,
                    AwsErrorKind.WRONG_REGION,
                    AwsErrorKind.KMS_KEY,
                    AwsErrorKind.INSECURE_REQUEST);

    private final SqsQueue queue;
    private final SqsCompletionConfig config;
    private final NotificationMetrics metrics;
    private final FailureBackoff backoff;

    /**
     * The receives in flight. A wake-up leaves them running (their messages are handed over by a
     * later receive); only {@link #stop} cancels them.
     */
    private final Queue<CompletableFuture<List<QueueMessage>>> receiving =
            new ConcurrentLinkedQueue<>();

    /** Completed by {@link #wakeUp} to end a wait; replaced once a wait has seen it. */
    private volatile CompletableFuture<Void> wakeUpSignal = new CompletableFuture<>();

    private int wantedReceives = 1;

    MessageReceiver(SqsQueue queue, SqsCompletionConfig config, NotificationMetrics metrics) {
        this(queue, config, metrics, new FailureBackoff(FIRST_BACKOFF, MAX_BACKOFF, LOG));
    }

    /** With a given backoff, e.g. a short fixed one in tests. */
    MessageReceiver(
            SqsQueue queue,
            SqsCompletionConfig config,
            NotificationMetrics metrics,
            FailureBackoff backoff) {
        this.queue = queue;
        this.config = config;
        this.metrics = metrics;
        this.backoff = backoff;
    }

    /**
     * The messages of the receives that completed first, or none when woken up (the receives stay
     * in flight for the next call). While messages keep coming, up to {@code receive-concurrency}
     * receives stay in flight, since each returns what is there, often one or two; an empty long
     * poll brings it back to one, so an idle reader polls once per wait time.
     *
     * @throws FatalAwsException when the queue cannot be used at all
     */
    List<QueueMessage> receive() {
        while (receiving.size() < wantedReceives) {
            receiving.add(
                    queue.receive(
                            config.maxMessages(), config.waitTime(), config.visibilityTimeout()));
            metrics.receiveRequests.inc();
        }
        List<CompletableFuture<?>> waitFor = new ArrayList<>(receiving);
        waitFor.add(wakeUpSignal);
        boolean wokenUp = awaitAny(waitFor);
        List<QueueMessage> messages = new ArrayList<>();
        Throwable failure = null;
        boolean anyDone = false;
        for (Iterator<CompletableFuture<List<QueueMessage>>> it = receiving.iterator();
                it.hasNext(); ) {
            CompletableFuture<List<QueueMessage>> done = it.next();
            if (!done.isDone()) {
                continue;
            }
            it.remove();
            anyDone = true;
            try {
                messages.addAll(done.join());
            } catch (CancellationException e) {
                // only stop cancels
            } catch (CompletionException e) {
                failure = e.getCause();
            }
        }
        if (!anyDone) {
            return List.of(); // woken up; the receives stay in flight for the next call
        }
        if (failure != null) {
            wantedReceives = 1;
            onReceiveFailure(failure, wokenUp);
        } else {
            backoff.onSuccess();
            wantedReceives = messages.isEmpty() ? 1 : config.receiveConcurrency();
        }
        metrics.messagesReceived.inc(messages.size());
        return messages;
    }

    /**
     * Takes the messages of the receives that completed and aborts the others, whose messages the
     * queue makes visible again at once (the {@link SqsQueue} contract). What is returned was
     * received and is the caller's: to hand over, or to release.
     */
    List<QueueMessage> stop() {
        List<QueueMessage> messages = new ArrayList<>();
        for (CompletableFuture<List<QueueMessage>> receive : receiving) {
            if (receive.cancel(true)) {
                continue;
            }
            try {
                messages.addAll(receive.join());
            } catch (CancellationException | CompletionException e) {
                // a failed receive brought nothing; no reason to fail a receiver that stops
            }
        }
        receiving.clear();
        metrics.messagesReceived.inc(messages.size());
        return messages;
    }

    /** Ends a wait; receives in flight keep going, so no message they bring is lost. */
    void wakeUp() {
        wakeUpSignal.complete(null);
    }

    /**
     * Waits {@code millis}, or less if woken up (a wake-up that came before the wait ends it at
     * once). A timed wait on the signal: no thread or timer task per wait.
     */
    void waitForWakeUp(long millis) {
        try {
            wakeUpSignal.get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            // the time is up: the caller goes on
        }
        consumeWakeUp();
    }

    /**
     * Waits until one of {@code futures} completes, whichever way; consumes a wake-up, and says
     * whether there was one.
     */
    private boolean awaitAny(List<CompletableFuture<?>> futures) {
        try {
            CompletableFuture.anyOf(futures.toArray(new CompletableFuture<?>[0])).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (CancellationException | ExecutionException e) {
            // seen by the caller with the future that failed
        }
        return consumeWakeUp();
    }

    private boolean consumeWakeUp() {
        if (wakeUpSignal.isDone()) {
            wakeUpSignal = new CompletableFuture<>();
            return true;
        }
        return false;
    }

    /**
     * Fails the job, or backs off; a wake-up that came with the failure (consumed by the wait that
     * saw the failure) ends the backoff at once, as it would have ended the wait.
     */
    private void onReceiveFailure(Throwable error, boolean wokenUp) {
        AwsErrorKind kind = AwsErrors.classify(error);
        if (FATAL_KINDS.contains(kind)) {
            throw FatalAwsException.of(
                    "Receiving from SQS queue " + config.queueUrl() + " (sqs:ReceiveMessage)",
                    error,
                    FatalAwsException.advice(kind));
        }
        // Throttling, OverLimit, 5xx, network, and whatever the service may answer that retrying
        // can fix: back off, never fail the job.
        Duration delay = backoff.onFailure("Receiving from SQS queue " + config.queueUrl(), error);
        if (!wokenUp) {
            waitForWakeUp(delay.toMillis());
        }
    }
}
