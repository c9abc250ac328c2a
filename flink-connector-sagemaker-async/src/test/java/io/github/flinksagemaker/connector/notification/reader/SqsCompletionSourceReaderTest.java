package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;

import org.apache.flink.api.connector.source.RichSourceReaderContext;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalSourceReaderMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.util.UserCodeClassLoader;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static io.github.flinksagemaker.connector.notification.Notifications.notification;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Emits what notifications say, deletes a message only after the checkpoint covering its emission,
 * and leaves alone what is not this job's.
 */
class SqsCompletionSourceReaderTest {
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/results";
    private static final S3Location OUTPUT_2 = new S3Location("bucket", "out/2.out");
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

    private final FakeSqsQueue queue = new FakeSqsQueue();
    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final MetricListener metricListener = new MetricListener();
    private final TestingReaderOutput<TaggedOutput> output = new TestingReaderOutput<>();

    /** Whether the job the reader runs in takes checkpoints, as its configuration says. */
    private enum Job {
        CHECKPOINTED,
        NOT_CHECKPOINTED;

        Configuration configuration() {
            Configuration configuration = new Configuration();
            if (this == CHECKPOINTED) {
                configuration.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL);
            }
            return configuration;
        }
    }

    private SqsCompletionSourceReader<TaggedOutput> reader(Job job) {
        return reader(job, new Configuration());
    }

    private SqsCompletionSourceReader<TaggedOutput> reader(Job job, Configuration options) {
        return reader(
                options,
                new TestingReaderContext(
                        job.configuration(),
                        InternalSourceReaderMetricGroup.mock(metricListener.getMetricGroup())));
    }

    private SqsCompletionSourceReader<TaggedOutput> reader(
            Configuration options, SourceReaderContext context) {
        options.setString("aws.region", "us-east-1");
        options.set(CompletionOptions.SQS_QUEUE_URL, QUEUE);
        SqsCompletionSourceReader<TaggedOutput> reader =
                SqsCompletionSourceReader.create(
                        queue,
                        store,
                        SqsCompletionConfig.from(options, Set.of("reviews")),
                        output -> output,
                        context);
        reader.start();
        reader.addSplits(List.of(new QueueSplit(0)));
        return reader;
    }

    private void pollUntil(SqsCompletionSourceReader<TaggedOutput> reader, BooleanSupplier done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("in time").isLessThan(deadline);
            reader.pollNext(output);
            try {
                reader.isAvailable().get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // nothing yet: poll again
            }
        }
    }

    @Test
    void emitsIncludedResponsesAndReadsTheOthersThenDeletesAfterTheCheckpoint() throws Exception {
        store.put(OUTPUT_2, "{\"label\":\"NEGATIVE\"}", 0L);
        queue.send(notification("1", "reviews", "{\"label\":\"POSITIVE\"}"));
        queue.send(notification("2", "reviews", null));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 2);

            assertThat(output.getEmittedRecords())
                    .extracting(
                            TaggedOutput::inferenceId,
                            tagged -> new String(tagged.output().content(), StandardCharsets.UTF_8),
                            tagged -> tagged.output().status(),
                            tagged -> tagged.output().location())
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(
                                    "1",
                                    "{\"label\":\"POSITIVE\"}",
                                    ResultStatus.SUCCESS,
                                    "s3://bucket/out/1.out"),
                            org.assertj.core.groups.Tuple.tuple(
                                    "2",
                                    "{\"label\":\"NEGATIVE\"}",
                                    ResultStatus.SUCCESS,
                                    "s3://bucket/out/2.out"));
            assertThat(store.getRequests.get()).as("only the one without a response").isOne();

            reader.pollNext(output);
            assertThat(queue.deletedHandles()).as("nothing before a checkpoint").isEmpty();
            assertThat(reader.snapshotState(1L)).containsExactly(new QueueSplit(0));
            assertThat(queue.deletedHandles()).as("nor before it completes").isEmpty();
            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).containsExactlyInAnyOrder("r-1", "r-2");
        }
    }

    @Test
    void messagesEmittedAfterASnapshotWaitForALaterCheckpoint() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            reader.snapshotState(1L);
            queue.send(notification("2", "reviews", "b"));
            pollUntil(reader, () -> output.getEmittedRecords().size() == 2);

            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).containsExactly("r-1");
            reader.snapshotState(2L);
            reader.notifyCheckpointComplete(2L);
            assertThat(queue.deletedHandles()).containsExactly("r-1", "r-2");
        }
    }

    /** Polls until the reader ends; fails if it does not within 10 s. */
    private void pollUntilEnd(SqsCompletionSourceReader<TaggedOutput> reader) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reader.pollNext(output) != InputStatus.END_OF_INPUT) {
            assertThat(System.nanoTime()).as("ends in time").isLessThan(deadline);
            try {
                reader.isAvailable().get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // nothing yet: poll again
            }
        }
    }

    /**
     * The join's input ended and nothing is pending: the reader ends, with what it received emitted
     * first, and their messages are still deleted only once the (final) checkpoint covering them
     * completes.
     */
    @Test
    void noMoreResultsEndsTheReaderAfterEmittingWhatItReceivedAndDeletesAfterTheCheckpoint()
            throws Exception {
        queue.holdReceives();
        queue.send(notification("1", "reviews", "a"));
        queue.send(notification("2", "reviews", "b"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> !queue.heldReceives.isEmpty());
            queue.heldReceives.get(0).complete(List.of(queue.take(), queue.take()));

            reader.notifyNoMoreSplits();
            reader.handleSourceEvents(NoMoreResultsEvent.INSTANCE);
            pollUntilEnd(reader);

            assertThat(output.getEmittedRecords())
                    .extracting(TaggedOutput::inferenceId)
                    .containsExactlyInAnyOrder("1", "2");
            assertThat(queue.heldReceives)
                    .as("a receive in flight is aborted, none started after")
                    .allMatch(CompletableFuture::isDone);
            assertThat(queue.deletedHandles()).as("nothing before the checkpoint").isEmpty();
            assertThat(reader.snapshotState(1L)).as("the split is finished").isEmpty();
            assertThat(queue.deletedHandles()).as("nor before it completes").isEmpty();
            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).containsExactlyInAnyOrder("r-1", "r-2");
        }
        assertThat(queue.releasedHandles()).isEmpty();
    }

    /** Without a checkpoint after the end, close makes the messages visible again instead. */
    @Test
    void aReaderThatEndedReleasesOnCloseWhatNoCompletedCheckpointCovers() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED);
        pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
        reader.notifyNoMoreSplits();
        reader.handleSourceEvents(NoMoreResultsEvent.INSTANCE);
        pollUntilEnd(reader);

        reader.close();

        assertThat(queue.deletedHandles()).isEmpty();
        assertThat(queue.releasedHandles()).containsExactly("r-1");
    }

    /** Only NoMoreResultsEvent ends the queue split: no more splits alone does not. */
    @Test
    void otherSourceEventsAndNoMoreSplitsAloneKeepTheReaderReceiving() throws Exception {
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            reader.notifyNoMoreSplits();
            reader.handleSourceEvents(new SourceEvent() {});
            queue.send(notification("1", "reviews", "a"));
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            assertThat(reader.pollNext(output)).isNotEqualTo(InputStatus.END_OF_INPUT);
            assertThat(reader.snapshotState(1L)).containsExactly(new QueueSplit(0));
        }
    }

    @Test
    void withoutCheckpointsDeletesRightAfterEmission() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.NOT_CHECKPOINTED)) {
            pollUntil(reader, () -> !queue.deletedHandles().isEmpty());
            assertThat(output.getEmittedRecords()).hasSize(1);
            assertThat(queue.deletedHandles()).containsExactly("r-1");
        }
    }

    /**
     * In a running job the reader's context is a task's: whether it checkpoints is in the job's
     * configuration, read when the reader starts, so that checkpointing enabled after the source
     * was built (after apply(), or by SET in SQL) still holds messages for the checkpoint.
     */
    @Test
    void aCheckpointIntervalInTheRunningJobsConfigurationHoldsMessagesForTheCheckpoint()
            throws Exception {
        queue.send(notification("1", "reviews", "a"));
        queue.send(notification("2", "reviews", "b"));
        MockEnvironment task = new MockEnvironmentBuilder().build();
        task.getJobConfiguration()
                .set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        try (task;
                SqsCompletionSourceReader<TaggedOutput> reader =
                        reader(new Configuration(), inTask(task))) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 2);
            for (int i = 0; i < 5; i++) {
                reader.pollNext(output);
            }
            assertThat(queue.deletedHandles()).as("held for the checkpoint").isEmpty();
            reader.snapshotState(1L);
            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).containsExactlyInAnyOrder("r-1", "r-2");
        }
    }

    @Test
    void aRunningJobWithoutACheckpointIntervalDeletesOnEmission() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        MockEnvironment task = new MockEnvironmentBuilder().build();
        try (task;
                SqsCompletionSourceReader<TaggedOutput> reader =
                        reader(new Configuration(), inTask(task))) {
            pollUntil(reader, () -> !queue.deletedHandles().isEmpty());
            assertThat(queue.deletedHandles()).containsExactly("r-1");
        }
    }

    /** Checkpointing is the job's choice: it may turn off what the cluster turns on. */
    @Test
    void aJobThatTurnsCheckpointingOffOnACheckpointingClusterDeletesOnEmission() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        MockEnvironment task = new MockEnvironmentBuilder().build();
        task.getJobConfiguration().set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ZERO);
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        try (task;
                SqsCompletionSourceReader<TaggedOutput> reader =
                        reader(new Configuration(), inTask(task, cluster))) {
            pollUntil(reader, () -> !queue.deletedHandles().isEmpty());
            assertThat(queue.deletedHandles()).containsExactly("r-1");
        }
    }

    @Test
    void theClustersIntervalCountsWhenTheJobSetsNone() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        MockEnvironment task = new MockEnvironmentBuilder().build();
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        try (task;
                SqsCompletionSourceReader<TaggedOutput> reader =
                        reader(new Configuration(), inTask(task, cluster))) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            for (int i = 0; i < 5; i++) {
                reader.pollNext(output);
            }
            assertThat(queue.deletedHandles()).as("held for the checkpoint").isEmpty();
        }
    }

    private static SourceReaderContext inTask(MockEnvironment task) {
        return inTask(task, new Configuration());
    }

    /**
     * A reader context as a source operator makes it: with the task's runtime context, and the
     * cluster's configuration.
     */
    private static SourceReaderContext inTask(MockEnvironment task, Configuration cluster) {
        TestingReaderContext plain =
                new TestingReaderContext(
                        cluster, UnregisteredMetricsGroup.createSourceReaderMetricGroup());
        RichSourceReaderContext context =
                new RichSourceReaderContext() {
                    @Override
                    public SourceReaderMetricGroup metricGroup() {
                        return plain.metricGroup();
                    }

                    @Override
                    public Configuration getConfiguration() {
                        return plain.getConfiguration();
                    }

                    @Override
                    public String getLocalHostName() {
                        return plain.getLocalHostName();
                    }

                    @Override
                    public int getIndexOfSubtask() {
                        return 0;
                    }

                    @Override
                    public void sendSplitRequest() {}

                    @Override
                    public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return plain.getUserCodeClassLoader();
                    }

                    @Override
                    public int currentParallelism() {
                        return 1;
                    }
                };
        context.setRuntimeContext(
                new StreamingRuntimeContext(
                        task,
                        new HashMap<>(),
                        UnregisteredMetricsGroup.createOperatorMetricGroup(),
                        new OperatorID(),
                        null,
                        null,
                        null));
        return context;
    }

    @Test
    void accessDeniedOnReceiveFailsTheJobNamingTheQueue() {
        queue.failReceives(
                SqsException.builder()
                        .statusCode(403)
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .errorCode("AccessDenied")
                                        .errorMessage("not authorized to sqs:ReceiveMessage")
                                        .build())
                        .build());
        SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED);
        try {
            assertThatThrownBy(() -> pollUntil(reader, () -> false))
                    .hasStackTraceContaining(FatalAwsException.class.getName())
                    .hasStackTraceContaining(QUEUE)
                    .hasStackTraceContaining("sqs:ReceiveMessage");
            assertThat(queue.receives.get()).as("not retried").isOne();
        } finally {
            closeQuietly(reader);
        }
    }

    /** The split reader's pause (see SqsSplitReaderTest) shows on a gauge while it lasts. */
    @Test
    void theReceivingPausedGaugeShowsWhileTooManyMessagesWaitForACheckpoint() throws Exception {
        Configuration options = new Configuration();
        options.set(CompletionOptions.SQS_MAX_UNDELETED_MESSAGES, 3);
        options.set(CompletionOptions.SQS_MAX_MESSAGES, 1);
        options.set(CompletionOptions.SQS_RECEIVE_CONCURRENCY, 1);
        for (int i = 1; i <= 5; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "x"));
        }
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED, options)) {
            assertThat(receivingPaused()).isZero();
            pollUntil(reader, () -> output.getEmittedRecords().size() == 3);
            pollUntil(reader, () -> receivingPaused() == 1);

            reader.snapshotState(1L);
            reader.notifyCheckpointComplete(1L);
            pollUntil(reader, () -> output.getEmittedRecords().size() == 5);
            assertThat(receivingPaused()).isZero();
        }
    }

    /**
     * The reader base gets the job's configuration, so that source.reader.element.queue.capacity
     * and its siblings can be tuned, as for Flink's own sources.
     */
    @Test
    void theSourceReaderOptionsOfTheJobsConfigurationReachTheReader() throws Exception {
        Configuration job = Job.CHECKPOINTED.configuration();
        job.set(SourceReaderOptions.ELEMENT_QUEUE_CAPACITY, 7);
        job.set(SourceReaderOptions.SOURCE_READER_CLOSE_TIMEOUT, 1234L);
        try (SqsCompletionSourceReader<TaggedOutput> reader =
                reader(
                        new Configuration(),
                        new TestingReaderContext(
                                job,
                                InternalSourceReaderMetricGroup.mock(
                                        metricListener.getMetricGroup())))) {
            assertThat(reader.options().elementQueueCapacity).isEqualTo(7);
            assertThat(reader.options().sourceReaderCloseTimeout).isEqualTo(1234L);
        }
    }

    private int receivingPaused() {
        return metricListener
                .<Integer>getGauge("sagemakerAsync", "sqsReceivingPaused")
                .map(Gauge::getValue)
                .orElseThrow();
    }

    /**
     * A restarted job restores the last completed checkpoint: what was emitted after it must come
     * back now, not after the visibility timeout; what it covers is deleted, never released.
     */
    @Test
    void closeReleasesWhatNoCompletedCheckpointCoversAndDeletesWhatOneDoes() throws Exception {
        SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED);
        queue.send(notification("1", "reviews", "a"));
        pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
        reader.snapshotState(1L);
        queue.send(notification("2", "reviews", "b"));
        pollUntil(reader, () -> output.getEmittedRecords().size() == 2);
        reader.snapshotState(2L);
        queue.send(notification("3", "reviews", "c"));
        pollUntil(reader, () -> output.getEmittedRecords().size() == 3);
        reader.notifyCheckpointComplete(1L);

        reader.close();

        assertThat(queue.deletedHandles()).containsExactly("r-1");
        assertThat(queue.releasedHandles()).containsExactlyInAnyOrder("r-2", "r-3");
        assertThat(queue.visibleCount()).as("receivable again at once").isEqualTo(2);
        assertThat(queue.isClosed()).isTrue();
    }

    /** The last deletes before a stop-with-savepoint are issued just before the reader closes. */
    @Test
    void closeLetsDeletesAlreadyIssuedFinishBeforeClosingTheClient() throws Exception {
        queue.delayDeletes(300);
        queue.send(notification("1", "reviews", "a"));
        SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED);
        pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
        reader.snapshotState(1L);
        reader.notifyCheckpointComplete(1L);

        reader.close();

        assertThat(queue.deletedHandles()).containsExactly("r-1");
        assertThat(queue.isClosed()).isTrue();
        assertThat(queue.closedWithDeletesInFlight()).isFalse();
    }

    @Test
    void noGetQueueAttributesWhenItsAnswerCannotMatter() throws Exception {
        queue.send(notification("1", "reviews", "a"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.NOT_CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
        }
        Configuration options = new Configuration();
        options.set(CompletionOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofMinutes(10));
        queue.send(notification("2", "reviews", "b"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED, options)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 2);
        }
        assertThat(queue.attributeRequests.get())
                .as("no checkpoints, or the timeout set by option")
                .isZero();
    }

    private static void closeQuietly(SqsCompletionSourceReader<TaggedOutput> reader) {
        try {
            reader.close();
        } catch (Exception e) {
            // the fetcher's failure again
        }
    }
}
