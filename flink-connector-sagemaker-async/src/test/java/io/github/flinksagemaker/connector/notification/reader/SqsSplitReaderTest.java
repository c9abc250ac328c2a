package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static io.github.flinksagemaker.connector.notification.Notifications.notification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the split reader hands over and when: with receives on wake-up and close, within its byte
 * budget, while too many messages wait for a checkpoint, and when no more results are needed.
 */
class SqsSplitReaderTest {
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/results";

    private final FakeSqsQueue queue = new FakeSqsQueue();
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final ReceiptTracker tracker = new ReceiptTracker();
    private final AtomicBoolean noMoreResults = new AtomicBoolean();
    private ByteBudget budget;

    private SqsSplitReader splitReader(Configuration options) {
        options.setString("aws.region", "us-east-1");
        options.set(CompletionOptions.SQS_QUEUE_URL, QUEUE);
        SqsCompletionConfig config = SqsCompletionConfig.from(options, Set.of("reviews"));
        budget = new ByteBudget(config.maxBufferedBytes());
        NotificationMetrics metrics =
                new NotificationMetrics(
                        new UnregisteredMetricsGroup(), tracker, budget, () -> false);
        SqsSplitReader reader =
                new SqsSplitReader(
                        config,
                        new MessageReceiver(queue, config, metrics),
                        new NotificationResolver(store, config, metrics),
                        new VisibilityTimeoutCheck(queue, config, Duration.ofSeconds(10)),
                        tracker,
                        budget,
                        new MessageSettler(queue, QUEUE, metrics),
                        noMoreResults);
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(new QueueSplit(0))));
        return reader;
    }

    private static List<ReceivedNotification> drain(
            RecordsWithSplitIds<ReceivedNotification> records) {
        List<ReceivedNotification> all = new ArrayList<>();
        while (records.nextSplit() != null) {
            ReceivedNotification next;
            while ((next = records.nextRecordFromSplit()) != null) {
                all.add(next);
            }
        }
        return all;
    }

    /** Cancelling a long poll on every wake-up would lose what it was about to bring. */
    @Test
    void aWakeUpLeavesTheReceiveInFlightAndALaterFetchHandsOverItsMessages() throws Exception {
        queue.holdReceives();
        queue.send(notification("1", "reviews", "a"));
        SqsSplitReader reader = splitReader(new Configuration());
        CompletableFuture<List<ReceivedNotification>> fetch =
                CompletableFuture.supplyAsync(() -> drain(reader.fetch()));
        waitFor(() -> !queue.heldReceives.isEmpty());
        reader.wakeUp();
        assertThat(fetch.get(5, TimeUnit.SECONDS)).isEmpty();

        CompletableFuture<List<QueueMessage>> receive = queue.heldReceives.get(0);
        assertThat(receive).isNotCancelled();
        receive.complete(List.of(queue.take()));
        assertThat(drain(reader.fetch()))
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-1");
        assertThat(queue.receives.get()).as("no second receive").isOne();
        reader.close();
        assertThat(queue.releasedHandles()).isEmpty();
    }

    /**
     * On close a receive still in flight is aborted, and what one brought that was never handed
     * over becomes visible again at once instead of after its visibility timeout.
     */
    @Test
    void closeAbortsTheReceiveInFlightAndReleasesWhatWasReceivedAndNotHandedOver()
            throws Exception {
        queue.holdReceives();
        queue.send(notification("1", "reviews", "a"));
        SqsSplitReader reader = splitReader(new Configuration());
        CompletableFuture<?> fetch = CompletableFuture.runAsync(reader::fetch);
        waitFor(() -> !queue.heldReceives.isEmpty());
        reader.wakeUp();
        fetch.get(5, TimeUnit.SECONDS);
        queue.heldReceives.get(0).complete(List.of(queue.take()));

        reader.close();

        assertThat(queue.releasedHandles()).containsExactly("r-1");
        assertThat(queue.visibleCount()).isOne();
    }

    @Test
    void closeCancelsAReceiveStillInFlight() throws Exception {
        queue.holdReceives();
        SqsSplitReader reader = splitReader(new Configuration());
        CompletableFuture<?> fetch = CompletableFuture.runAsync(reader::fetch);
        waitFor(() -> !queue.heldReceives.isEmpty());
        reader.wakeUp();
        fetch.get(5, TimeUnit.SECONDS);

        reader.close();

        assertThat(queue.heldReceives.get(0)).isCancelled();
    }

    /**
     * A burst of large included responses is handed over only as far as max-buffered-bytes allows;
     * the rest waits in the split reader, and nothing more is received, until emission gives bytes
     * back.
     */
    @Test
    void handsOverIncludedResponsesOnlyWithinMaxBufferedBytes() {
        Configuration options = new Configuration();
        options.set(WatchOptions.MAX_BUFFERED_BYTES, MemorySize.parse("20b"));
        for (int i = 1; i <= 5; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "12345678"));
        }
        SqsSplitReader reader = splitReader(options);

        List<ReceivedNotification> first = drain(reader.fetch());
        assertThat(first)
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-1", "r-2");
        assertThat(budget.held()).isEqualTo(16);
        assertThat(drain(reader.fetch())).as("no room until emitted").isEmpty();
        assertThat(queue.receives.get()).as("nothing more received meanwhile").isOne();

        first.forEach(received -> budget.giveBack(received.budgetBytes()));
        assertThat(drain(reader.fetch()))
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-3", "r-4");
    }

    /** The size of an output in S3 is known only once read: a GET holds the content limit. */
    @Test
    void aGetOfAnOutputHoldsTheContentLimitOfTheBudgetUntilItsSizeIsKnown() {
        Configuration options = new Configuration();
        options.set(WatchOptions.MAX_CONTENT_BYTES, new MemorySize(100));
        options.set(WatchOptions.MAX_BUFFERED_BYTES, MemorySize.parse("105b"));
        store.put(new S3Location("bucket", "out/1.out"), "0123456789", 0L);
        store.put(new S3Location("bucket", "out/2.out"), "0123456789", 0L);
        queue.send(notification("1", "reviews", null));
        queue.send(notification("2", "reviews", null));
        SqsSplitReader reader = splitReader(options);

        List<ReceivedNotification> first = drain(reader.fetch());
        assertThat(first).extracting(ReceivedNotification::receiptHandle).containsExactly("r-1");
        assertThat(store.getRequests.get()).isOne();
        assertThat(budget.held()).as("the actual size, once read").isEqualTo(10);
        assertThat(drain(reader.fetch())).as("10 held, a GET would take 100 more").isEmpty();
        assertThat(store.getRequests.get()).isOne();

        first.forEach(received -> budget.giveBack(received.budgetBytes()));
        assertThat(drain(reader.fetch()))
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-2");
    }

    /**
     * When no more results are needed, what was received is still handed over, within the byte
     * budget as always, and the split finishes only with the last of it: nothing received is
     * dropped, and nothing more is received.
     */
    @Test
    void afterNoMoreResultsHandsOverWhatWasReceivedThenFinishesTheSplit() {
        Configuration options = new Configuration();
        options.set(WatchOptions.MAX_BUFFERED_BYTES, MemorySize.parse("20b"));
        for (int i = 1; i <= 5; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "12345678"));
        }
        SqsSplitReader reader = splitReader(options);
        List<ReceivedNotification> first = drain(reader.fetch());
        assertThat(first).hasSize(2);

        noMoreResults.set(true);
        reader.wakeUp();
        RecordsWithSplitIds<ReceivedNotification> noRoom = reader.fetch();
        assertThat(noRoom.finishedSplits()).as("three still wait for the budget").isEmpty();
        assertThat(drain(noRoom)).isEmpty();

        first.forEach(received -> budget.giveBack(received.budgetBytes()));
        RecordsWithSplitIds<ReceivedNotification> second = reader.fetch();
        assertThat(second.finishedSplits()).as("one still waits").isEmpty();
        List<ReceivedNotification> handedOver = drain(second);
        assertThat(handedOver)
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-3", "r-4");

        handedOver.forEach(received -> budget.giveBack(received.budgetBytes()));
        RecordsWithSplitIds<ReceivedNotification> last = reader.fetch();
        assertThat(last.finishedSplits()).containsExactly("queue-0");
        assertThat(drain(last))
                .as("handed over with the finished split, so emitted before it ends")
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-5");
        assertThat(queue.receives.get()).as("nothing received after the first").isOne();
        assertThat(tracker.held())
                .as("all five wait for emission and their checkpoint")
                .isEqualTo(5);

        reader.close();
        assertThat(queue.releasedHandles()).isEmpty();
        assertThat(queue.deletedHandles()).as("deleted only after their checkpoint").isEmpty();
    }

    /** A receive that completed before the split reader looked again brought messages to keep. */
    @Test
    void afterNoMoreResultsWhatACompletedReceiveBroughtIsHandedOver() throws Exception {
        queue.holdReceives();
        queue.send(notification("1", "reviews", "a"));
        SqsSplitReader reader = splitReader(new Configuration());
        CompletableFuture<?> fetch = CompletableFuture.runAsync(reader::fetch);
        waitFor(() -> !queue.heldReceives.isEmpty());
        reader.wakeUp();
        fetch.get(5, TimeUnit.SECONDS);
        queue.heldReceives.get(0).complete(List.of(queue.take()));

        noMoreResults.set(true);
        RecordsWithSplitIds<ReceivedNotification> records = reader.fetch();

        assertThat(records.finishedSplits()).containsExactly("queue-0");
        assertThat(drain(records))
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-1");
        assertThat(queue.receives.get()).isOne();
        reader.close();
        assertThat(queue.releasedHandles()).isEmpty();
    }

    /**
     * A long poll still in flight is aborted rather than waited for (up to the wait time): the
     * queue makes what it brings visible again at once.
     */
    @Test
    void afterNoMoreResultsAReceiveStillInFlightIsAbortedAndTheSplitFinishes() throws Exception {
        queue.holdReceives();
        SqsSplitReader reader = splitReader(new Configuration());
        CompletableFuture<RecordsWithSplitIds<ReceivedNotification>> waiting =
                CompletableFuture.supplyAsync(reader::fetch);
        waitFor(() -> !queue.heldReceives.isEmpty());

        noMoreResults.set(true);
        reader.wakeUp();
        assertThat(drain(waiting.get(5, TimeUnit.SECONDS))).isEmpty();
        RecordsWithSplitIds<ReceivedNotification> records = reader.fetch();

        assertThat(records.finishedSplits()).containsExactly("queue-0");
        assertThat(queue.heldReceives.get(0)).isCancelled();
        assertThat(queue.receives.get()).isOne();
        assertThat(reader.fetch().finishedSplits()).as("finished once").isEmpty();
    }

    /** A reader back from a failover gets its restored split after it was told. */
    @Test
    void aSplitAddedAfterNoMoreResultsFinishesWithoutAReceive() {
        noMoreResults.set(true);
        SqsSplitReader reader = splitReader(new Configuration());

        assertThat(reader.fetch().finishedSplits()).containsExactly("queue-0");
        assertThat(queue.receives.get()).isZero();
    }

    /** Only this job's notifications are handed over, and so only their messages get deleted. */
    @Test
    void handsOverOnlyThisJobsNotifications() {
        queue.send("{\"Records\":[]}");
        queue.send(notification("1", "another-endpoint", "x"));
        queue.send(notification("2", "reviews", "y"));
        SqsSplitReader reader = splitReader(new Configuration());

        assertThat(drain(reader.fetch()))
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-3");
        assertThat(tracker.held()).isOne();
    }

    /**
     * While checkpoints fail, messages wait for deletion without end: past the bound the split
     * reader stops receiving (the job slows, it does not fail), and resumes once fewer wait.
     */
    @Test
    void stopsReceivingWhileTooManyMessagesWaitForACheckpointAndResumesOnceTheyAreDeleted() {
        Configuration options = new Configuration();
        options.set(CompletionOptions.SQS_MAX_UNDELETED_MESSAGES, 3);
        options.set(CompletionOptions.SQS_MAX_MESSAGES, 3);
        options.set(CompletionOptions.SQS_RECEIVE_CONCURRENCY, 1);
        for (int i = 1; i <= 5; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "x"));
        }
        SqsSplitReader reader = splitReader(options);
        List<ReceivedNotification> first = drain(reader.fetch());
        assertThat(first).hasSize(3);
        assertThat(reader.isReceivingPaused()).isFalse();

        long start = System.nanoTime();
        assertThat(drain(reader.fetch())).as("nothing while paused").isEmpty();
        assertThat(System.nanoTime() - start)
                .as("after a short wait, not at once")
                .isGreaterThanOrEqualTo(
                        TimeUnit.MILLISECONDS.toNanos(SqsSplitReader.PAUSED_FETCH_MILLIS));
        assertThat(drain(reader.fetch())).isEmpty();
        assertThat(reader.isReceivingPaused()).isTrue();
        assertThat(queue.receives.get()).as("no receive while paused").isOne();

        first.forEach(received -> tracker.emitted(received.receiptHandle()));
        tracker.snapshot(1L);
        assertThat(tracker.checkpointComplete(1L)).hasSize(3);
        assertThat(drain(reader.fetch()))
                .extracting(ReceivedNotification::receiptHandle)
                .containsExactly("r-4", "r-5");
        assertThat(reader.isReceivingPaused()).isFalse();
    }

    @Test
    void checksTheVisibilityTimeoutOnceWhenItStarts() {
        for (int i = 1; i <= 30; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "x"));
        }
        SqsSplitReader reader = splitReader(new Configuration());
        for (int i = 0; i < 5; i++) {
            reader.fetch();
        }
        assertThat(queue.receives.get()).isGreaterThan(1);
        assertThat(queue.attributeRequests.get()).isOne();
    }

    /** A read that fails the job surfaces as itself, and the bytes it held are given back. */
    @Test
    void aFatalReadSurfacesAsItselfAndGivesItsBytesBack() {
        store.failAllReads(AwsErrorsOfKind.of(AwsErrorKind.CREDENTIALS));
        queue.send(notification("1", "reviews", null));
        SqsSplitReader reader = splitReader(new Configuration());

        assertThatThrownBy(reader::fetch)
                .isInstanceOf(FatalAwsException.class)
                .hasMessageContaining("s3://bucket/out/1.out");
        assertThat(budget.held()).isZero();
    }

    /** A read left for redelivery is not handed over, and holds nothing of the budget. */
    @Test
    void aReadLeftForRedeliveryIsNotHandedOverAndGivesItsBytesBack() {
        store.failAllReads(AwsErrorsOfKind.of(AwsErrorKind.THROTTLED));
        queue.send(notification("1", "reviews", null));
        SqsSplitReader reader = splitReader(new Configuration());

        assertThat(drain(reader.fetch())).isEmpty();
        assertThat(budget.held()).isZero();
        assertThat(tracker.held()).isZero();
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
