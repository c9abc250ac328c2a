package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.FailureBackoff;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.github.flinksagemaker.connector.notification.Notifications.notification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Receives in flight, how many, wake-ups, backoff and fatal errors, and stopping: what the receiver
 * does for the split reader.
 */
class MessageReceiverTest {
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/results";

    private final FakeSqsQueue queue = new FakeSqsQueue();
    private final FailureBackoff backoff =
            new FailureBackoff(
                    BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(1)),
                    LoggerFactory.getLogger(MessageReceiverTest.class));
    private NotificationMetrics metrics;

    private MessageReceiver receiver() {
        return receiver(new Configuration());
    }

    private MessageReceiver receiver(Configuration options) {
        SqsCompletionConfig config = config(options);
        return new MessageReceiver(queue, config, metrics, backoff);
    }

    private SqsCompletionConfig config(Configuration options) {
        options.setString("aws.region", "us-east-1");
        options.set(CompletionOptions.SQS_QUEUE_URL, QUEUE);
        SqsCompletionConfig config = SqsCompletionConfig.from(options, Set.of("reviews"));
        metrics =
                new NotificationMetrics(
                        new UnregisteredMetricsGroup(),
                        new ReceiptTracker(),
                        new ByteBudget(config.maxBufferedBytes()),
                        () -> false);
        return config;
    }

    /** Cancelling a long poll on every wake-up would lose what it was about to bring. */
    @Test
    void aWakeUpEndsTheWaitAndLeavesTheReceiveInFlightForTheNextCall() throws Exception {
        queue.holdReceives();
        queue.send(notification("1", "reviews", "a"));
        MessageReceiver receiver = receiver();
        CompletableFuture<List<QueueMessage>> waiting =
                CompletableFuture.supplyAsync(receiver::receive);
        waitFor(() -> !queue.heldReceives.isEmpty());

        receiver.wakeUp();

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEmpty();
        CompletableFuture<List<QueueMessage>> receive = queue.heldReceives.get(0);
        assertThat(receive).isNotCancelled();
        receive.complete(List.of(queue.take()));
        assertThat(receiver.receive())
                .extracting(QueueMessage::receiptHandle)
                .containsExactly("r-1");
        assertThat(queue.receives.get()).as("no second receive").isOne();
        assertThat(metrics.receiveRequests.getCount()).isOne();
        assertThat(metrics.messagesReceived.getCount()).isOne();
    }

    /**
     * Stopping aborts a receive still in flight (the queue makes what it brings visible again) and
     * hands back what one that completed brought, for the caller to hand over or release.
     */
    @Test
    void stopAbortsReceivesInFlightAndHandsBackWhatCompletedOnesBrought() throws Exception {
        queue.holdReceives();
        queue.send(notification("1", "reviews", "a"));
        MessageReceiver receiver = receiver();
        CompletableFuture<?> waiting = CompletableFuture.runAsync(receiver::receive);
        waitFor(() -> !queue.heldReceives.isEmpty());
        receiver.wakeUp();
        waiting.get(5, TimeUnit.SECONDS);
        queue.heldReceives.get(0).complete(List.of(queue.take()));

        assertThat(receiver.stop()).extracting(QueueMessage::receiptHandle).containsExactly("r-1");
        assertThat(metrics.messagesReceived.getCount()).isOne();

        waiting = CompletableFuture.runAsync(receiver::receive);
        waitFor(() -> queue.heldReceives.size() == 2);
        receiver.wakeUp();
        waiting.get(5, TimeUnit.SECONDS);
        assertThat(receiver.stop()).isEmpty();
        assertThat(queue.heldReceives.get(1)).isCancelled();
        assertThat(receiver.stop()).as("nothing left in flight").isEmpty();
    }

    /**
     * A receive returns what is there, often one message: while messages keep coming several are in
     * flight; an empty poll brings it back to one, so an idle reader polls once per wait.
     */
    @Test
    void keepsSeveralReceivesInFlightWhileMessagesComeAndOneWhenIdle() throws Exception {
        for (int i = 0; i < 200; i++) {
            queue.send(notification("id-" + i, "reviews", "x"));
        }
        MessageReceiver receiver = receiver();
        List<QueueMessage> received = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < 200) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            received.addAll(receiver.receive());
        }
        assertThat(queue.maxOutstanding.get()).as("receives in flight at once").isEqualTo(4);

        Thread.sleep(100); // the last receives come back empty
        receiver.receive();
        int before = queue.receives.get();
        long idleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        while (System.nanoTime() < idleUntil) {
            assertThat(receiver.receive()).isEmpty();
        }
        // One 20 ms poll at a time is about 20 receives in 400 ms; four would be 80.
        assertThat(queue.receives.get() - before).isBetween(5, 30);
    }

    @Test
    void throttlingAndOverLimitBackOffAndNeverFailTheJob() throws Exception {
        queue.failNextReceives(
                2,
                SqsException.builder()
                        .statusCode(403)
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .errorCode("OverLimit")
                                        .errorMessage("too many messages in flight")
                                        .build())
                        .build());
        queue.send(notification("1", "reviews", "a"));
        MessageReceiver receiver = receiver();

        assertThat(receiver.receive()).isEmpty();
        assertThat(receiver.receive()).isEmpty();
        assertThat(backoff.failuresInARow()).as("a run of failures").isEqualTo(2);
        assertThat(receiver.receive())
                .extracting(QueueMessage::receiptHandle)
                .containsExactly("r-1");
        assertThat(backoff.failuresInARow()).as("ended by a success").isZero();
        assertThat(queue.receives.get()).isEqualTo(3);
    }

    /**
     * The job cannot use the queue at all: no credentials the service accepts, no permission, no
     * such queue, another region, a KMS key it cannot use, a request not secure enough. Anything
     * else may pass and is retried.
     */
    @ParameterizedTest
    @EnumSource(AwsErrorKind.class)
    void aReceiveFailsTheJobOnlyWhenRetryingCannotHelp(AwsErrorKind kind) {
        Set<AwsErrorKind> fatal =
                Set.of(
                        AwsErrorKind.CREDENTIALS,
                        AwsErrorKind.ACCESS_DENIED,
                        AwsErrorKind.NO_SUCH_QUEUE,
                        AwsErrorKind.WRONG_REGION,
                        AwsErrorKind.KMS_KEY,
                        AwsErrorKind.INSECURE_REQUEST);
        queue.failNextReceives(1, AwsErrorsOfKind.of(kind));
        queue.send(notification("1", "reviews", "a"));
        MessageReceiver receiver = receiver();

        if (fatal.contains(kind)) {
            assertThatThrownBy(receiver::receive)
                    .isInstanceOf(FatalAwsException.class)
                    .hasMessageContaining(QUEUE)
                    .hasMessageContaining("sqs:ReceiveMessage")
                    .hasMessageContaining(FatalAwsException.advice(kind));
            assertThat(queue.receives.get()).as("not retried").isOne();
        } else {
            assertThat(receiver.receive()).isEmpty();
            assertThat(receiver.receive())
                    .extracting(QueueMessage::receiptHandle)
                    .containsExactly("r-1");
        }
    }

    /**
     * A wake-up that comes while a receive fails (one wait sees both) still ends the backoff: the
     * fetcher must not sit out a backoff of up to 30 s when it is asked to stop or take a split.
     */
    @Test
    void aWakeUpThatComesWithAFailedReceiveEndsItsBackoff() {
        queue.failNextReceives(1, (RuntimeException) AwsErrorsOfKind.of(AwsErrorKind.THROTTLED));
        MessageReceiver receiver =
                new MessageReceiver(
                        queue,
                        config(new Configuration()),
                        metrics,
                        new FailureBackoff(
                                BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMinutes(1)),
                                LoggerFactory.getLogger(MessageReceiverTest.class)));
        receiver.wakeUp();

        long start = System.nanoTime();
        assertThat(receiver.receive()).isEmpty();
        assertThat(System.nanoTime() - start)
                .as("time in receive(), with a backoff of a minute")
                .isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(queue.receives.get()).as("the failed receive was made").isOne();
    }

    @Test
    void aTimedWaitLastsItsTimeUnlessWokenUp() throws Exception {
        MessageReceiver receiver = receiver();
        long start = System.nanoTime();
        receiver.waitForWakeUp(100);
        assertThat(System.nanoTime() - start)
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));

        CompletableFuture<?> waiting =
                CompletableFuture.runAsync(() -> receiver.waitForWakeUp(60_000));
        Thread.sleep(50);
        receiver.wakeUp();
        waiting.get(5, TimeUnit.SECONDS);
    }

    /** A wake-up that came before the wait ends it at once, and only that one wait. */
    @Test
    void aWakeUpBeforeTheWaitEndsItAtOnceAndIsThenUsedUp() {
        MessageReceiver receiver = receiver();
        receiver.wakeUp();
        long start = System.nanoTime();
        receiver.waitForWakeUp(60_000);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));

        start = System.nanoTime();
        receiver.waitForWakeUp(100);
        assertThat(System.nanoTime() - start)
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
