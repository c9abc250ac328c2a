package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.apache.flink.api.connector.source.RichSourceReaderContext;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
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
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

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

    static String notification(String id, String endpoint, String includedResponse) {
        return "{\"invocationStatus\":\"Completed\",\"inferenceId\":\""
                + id
                + "\",\"eventTime\":\"2026-11-29T20:10:11.123Z\","
                + "\"requestParameters\":{\"endpointName\":\""
                + endpoint
                + "\"},\"responseParameters\":{\"contentType\":\"application/json\","
                + "\"outputLocation\":\"s3://bucket/out/"
                + id
                + ".out\"}"
                + (includedResponse != null
                        ? ",\"responseBody\":{\"encoding\":\"BASE64\",\"content\":\""
                                + Base64.getEncoder()
                                        .encodeToString(
                                                includedResponse.getBytes(StandardCharsets.UTF_8))
                                + "\"}"
                        : "")
                + "}";
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

    /**
     * The join finds an output stale by its last-modified time; for a notification without an
     * eventTime that is when SQS received the message, never the time the reader happened to read
     * it, or a notification left from an earlier use of the ID would always look fresh.
     */
    @Test
    void aNotificationWithoutEventTimeIsTimedBySentTimestampAndCounted() throws Exception {
        long sentLongAgo = Instant.parse("2026-11-29T08:00:00Z").toEpochMilli();
        queue.send(withoutEventTime(notification("1", "reviews", "old")), sentLongAgo);
        queue.send(notification("2", "reviews", "timed"), sentLongAgo);
        queue.send(withoutEventTime(notification("3", "reviews", "untimed")));
        Map<String, Counter> counters = new ConcurrentHashMap<>();
        long before = System.currentTimeMillis();
        try (SqsCompletionSourceReader<TaggedOutput> reader =
                reader(
                        new Configuration(),
                        new TestingReaderContext(
                                Job.CHECKPOINTED.configuration(), countersInto(counters)))) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 3);
        }
        long after = System.currentTimeMillis();

        Map<String, Long> lastModified = new HashMap<>();
        output.getEmittedRecords()
                .forEach(t -> lastModified.put(t.inferenceId(), t.output().lastModifiedMillis()));
        assertThat(lastModified.get("1")).as("SentTimestamp stands in").isEqualTo(sentLongAgo);
        assertThat(lastModified.get("2"))
                .as("the eventTime when there is one")
                .isEqualTo(Instant.parse("2026-11-29T20:10:11.123Z").toEpochMilli());
        assertThat(lastModified.get("3"))
                .as("neither: when received, the last resort")
                .isBetween(before, after);
        assertThat(counters.get("sqsEventTimesMissing").getCount()).isEqualTo(2);
    }

    private static String withoutEventTime(String notification) {
        String withoutTime =
                notification.replace("\"eventTime\":\"2026-11-29T20:10:11.123Z\",", "");
        assertThat(withoutTime).isNotEqualTo(notification);
        return withoutTime;
    }

    /** A metric group that hands every counter registered under it to {@code counters}. */
    private static SourceReaderMetricGroup countersInto(Map<String, Counter> counters) {
        return InternalSourceReaderMetricGroup.mock(
                new UnregisteredMetricsGroup() {
                    @Override
                    public <C extends Counter> C counter(String name, C counter) {
                        counters.put(name, counter);
                        return counter;
                    }

                    @Override
                    public MetricGroup addGroup(String name) {
                        return this;
                    }
                });
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

    @Test
    void leavesForeignAndUnparseableMessagesToTheRedrivePolicy() throws Exception {
        queue.send("{\"Records\":[]}");
        queue.send(notification("1", "another-endpoint", "x"));
        queue.send(notification("2", "reviews", "y"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            assertThat(output.getEmittedRecords().get(0).inferenceId()).isEqualTo("2");

            reader.snapshotState(1L);
            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).containsExactly("r-3");
        }
    }

    /**
     * A location that is not an s3:// URI would fail the job in the join's cleanup, and again on
     * every redelivery: such a message is unparseable, never emitted, even with its response.
     */
    @Test
    void aNotificationWhoseLocationIsNotAnS3UriIsUnparseableAndLeftToTheRedrivePolicy()
            throws Exception {
        queue.send(
                notification("1", "reviews", "x")
                        .replace("s3://bucket/out/1.out", "https://bucket.s3.amazonaws.com/1.out"));
        queue.send(
                "{\"invocationStatus\":\"Failed\",\"inferenceId\":\"2\","
                        + "\"requestParameters\":{\"endpointName\":\"reviews\"},"
                        + "\"responseParameters\":{\"failureLocation\":\"failure/2-error.out\"}}");
        queue.send(notification("3", "reviews", "y"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            // Each message is either emitted or counted unparseable.
            pollUntil(reader, () -> unparseableMessages() + output.getEmittedRecords().size() == 3);

            assertThat(output.getEmittedRecords())
                    .extracting(TaggedOutput::inferenceId)
                    .containsExactly("3");
            reader.snapshotState(1L);
            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).containsExactly("r-3");
            assertThat(unparseableMessages()).isEqualTo(2);
        }
    }

    private long unparseableMessages() {
        return metricListener
                .getCounter("sagemakerAsync", "sqsUnparseableMessages")
                .map(Counter::getCount)
                .orElse(0L);
    }

    @Test
    void aTransientReadFailureLeavesTheMessageForRedeliveryAndAMissingObjectIsUnreadable()
            throws Exception {
        store.failReads(OUTPUT_2, S3Errors.of(503, "SlowDown"));
        queue.send(notification("2", "reviews", null));
        queue.send(notification("3", "reviews", null));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            Thread.sleep(100);
            reader.pollNext(output);

            assertThat(output.getEmittedRecords()).hasSize(1);
            TaggedOutput missing = output.getEmittedRecords().get(0);
            assertThat(missing.inferenceId()).isEqualTo("3");
            assertThat(missing.output().isReadable()).isFalse();
            assertThat(missing.output().readError()).contains("NoSuchKey");
            reader.snapshotState(1L);
            reader.notifyCheckpointComplete(1L);
            assertThat(queue.deletedHandles()).as("not the one to retry").containsExactly("r-2");
        }
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
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 200);
            assertThat(queue.maxOutstanding.get()).as("receives in flight at once").isEqualTo(4);

            Thread.sleep(100); // the last receives come back empty
            int before = queue.receives.get();
            long idleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
            while (System.nanoTime() < idleUntil) {
                reader.pollNext(output);
                Thread.sleep(5);
            }
            // One 20 ms poll at a time is about 20 receives in 400 ms; four would be 80.
            assertThat(queue.receives.get() - before).isBetween(5, 30);
        }
    }

    @Test
    void throttlingAndOverLimitOnReceiveBackOffAndNeverFailTheJob() throws Exception {
        queue.failNextReceives(2, sqsError(403, "OverLimit"));
        queue.send(notification("1", "reviews", "a"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            assertThat(queue.receives.get()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void anIncludedResponseOverTheContentLimitIsEmittedByItsSizeOnly() throws Exception {
        Configuration options = new Configuration();
        options.set(WatchOptions.MAX_CONTENT_BYTES, 4);
        queue.send(notification("1", "reviews", "tiny"));
        queue.send(notification("2", "reviews", "larger"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED, options)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 2);
            assertThat(output.getEmittedRecords())
                    .extracting(
                            TaggedOutput::inferenceId,
                            tagged -> tagged.output().isContentIncluded(),
                            tagged -> tagged.output().size())
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("1", true, 4L),
                            org.assertj.core.groups.Tuple.tuple("2", false, 6L));
        }
    }

    /** The location comes from a message, not the job's options: one message never fails it. */
    @Test
    void anOutputInABucketThatDoesNotExistIsUnreadableNotFatal() throws Exception {
        store.failReads(OUTPUT_2, S3Errors.of(404, "NoSuchBucket"));
        queue.send(notification("2", "reviews", null));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            assertThat(output.getEmittedRecords().get(0).output().readError())
                    .contains("NoSuchBucket");
        }
    }

    private static SqsException sqsError(int status, String code) {
        return (SqsException)
                SqsException.builder()
                        .statusCode(status)
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .errorCode(code)
                                        .errorMessage(code + " (test)")
                                        .build())
                        .build();
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

    /**
     * While checkpoints fail, messages wait for deletion without end: past the bound the reader
     * stops receiving (the job slows, it does not fail), and resumes once a checkpoint completes.
     */
    @Test
    void stopsReceivingWhileTooManyMessagesWaitForACheckpointAndResumesOnceTheyAreDeleted()
            throws Exception {
        Configuration options = new Configuration();
        options.set(CompletionOptions.SQS_MAX_UNDELETED_MESSAGES, 3);
        options.set(CompletionOptions.SQS_MAX_MESSAGES, 1);
        options.set(CompletionOptions.SQS_RECEIVE_CONCURRENCY, 1);
        for (int i = 1; i <= 5; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "x"));
        }
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED, options)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 3);
            pollUntil(reader, () -> receivingPaused() == 1);
            int receivesWhenPaused = queue.receives.get();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < until) {
                reader.pollNext(output);
                Thread.sleep(5);
            }
            assertThat(output.getEmittedRecords()).as("nothing more while paused").hasSize(3);
            assertThat(queue.receives.get())
                    .as("no receive while paused")
                    .isEqualTo(receivesWhenPaused);

            reader.snapshotState(1L);
            reader.notifyCheckpointComplete(1L);
            pollUntil(reader, () -> output.getEmittedRecords().size() == 5);
            assertThat(receivingPaused()).isZero();
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
    void readsTheQueuesVisibilityTimeoutOnceWhenItStarts() throws Exception {
        for (int i = 1; i <= 30; i++) {
            queue.send(notification(Integer.toString(i), "reviews", "x"));
        }
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 30);
            assertThat(queue.attributeRequests.get()).isOne();
        }
    }

    /** Only a warning depends on the answer: a denial must not fail the job. */
    @Test
    void accessDeniedOnGetQueueAttributesOnlySkipsTheCheck() throws Exception {
        queue.answerVisibilityTimeout(
                CompletableFuture.failedFuture(
                        SqsException.builder()
                                .statusCode(403)
                                .awsErrorDetails(
                                        AwsErrorDetails.builder()
                                                .errorCode("AccessDenied")
                                                .errorMessage(
                                                        "not authorized to"
                                                                + " sqs:GetQueueAttributes")
                                                .build())
                                .build()));
        queue.send(notification("1", "reviews", "a"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
            assertThat(queue.attributeRequests.get()).isOne();
        }
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

    @Test
    void aThrottledGetQueueAttributesDoesNotKeepTheReaderFromReceiving() throws Exception {
        queue.answerVisibilityTimeout(CompletableFuture.failedFuture(sqsError(400, "Throttling")));
        queue.send(notification("1", "reviews", "a"));
        try (SqsCompletionSourceReader<TaggedOutput> reader = reader(Job.CHECKPOINTED)) {
            pollUntil(reader, () -> output.getEmittedRecords().size() == 1);
        }
    }

    private static void closeQuietly(SqsCompletionSourceReader<TaggedOutput> reader) {
        try {
            reader.close();
        } catch (Exception e) {
            // the fetcher's failure again
        }
    }
}
