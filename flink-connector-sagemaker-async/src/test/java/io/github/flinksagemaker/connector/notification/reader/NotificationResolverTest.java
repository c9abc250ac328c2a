package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.notification.CompletionNotification;
import io.github.flinksagemaker.connector.notification.QueueMessage;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.ResultReadFailureTable;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static io.github.flinksagemaker.connector.notification.Notifications.EVENT_TIME;
import static io.github.flinksagemaker.connector.notification.Notifications.notification;
import static io.github.flinksagemaker.connector.notification.Notifications.withoutEventTime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a received message becomes an output: which messages are this job's, their event time, the
 * included response or the object read from S3, and what a failed read means.
 */
class NotificationResolverTest {
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/results";
    private static final S3Location OUTPUT_2 = new S3Location("bucket", "out/2.out");
    private static final long RECEIVED_MILLIS = 1_000_000L;

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private NotificationMetrics metrics;

    private NotificationResolver resolver() {
        return resolver(new Configuration());
    }

    private NotificationResolver resolver(Configuration options) {
        options.setString("aws.region", "us-east-1");
        options.set(CompletionOptions.SQS_QUEUE_URL, QUEUE);
        SqsCompletionConfig config = SqsCompletionConfig.from(options, Set.of("reviews"));
        metrics =
                new NotificationMetrics(
                        new UnregisteredMetricsGroup(),
                        new ReceiptTracker(),
                        new ByteBudget(config.maxBufferedBytes()),
                        () -> false);
        return new NotificationResolver(store, config, metrics);
    }

    private static QueueMessage message(String body) {
        return new QueueMessage("m-1", "r-1", body);
    }

    @Test
    void aNotificationOfThisJobIsUsableAsItSays() {
        NotificationResolver resolver = resolver();

        CompletionNotification usable =
                resolver.usableNotification(
                        message(notification("1", "reviews", "a")), RECEIVED_MILLIS);

        assertThat(usable.inferenceId()).isEqualTo("1");
        assertThat(usable.eventTimeMillis()).isEqualTo(Instant.parse(EVENT_TIME).toEpochMilli());
        assertThat(metrics.eventTimesMissing.getCount()).isZero();
        assertThat(metrics.unparseableMessages.getCount()).isZero();
        assertThat(metrics.foreignMessages.getCount()).isZero();
    }

    /** Left alone, so the queue's redrive policy decides their fate; counted apart. */
    @Test
    void messagesThatAreNotThisJobsNotificationsAreCountedAndNotUsable() {
        NotificationResolver resolver = resolver();

        assertThat(resolver.usableNotification(message("{\"Records\":[]}"), RECEIVED_MILLIS))
                .isNull();
        assertThat(
                        resolver.usableNotification(
                                message(notification("1", "another-endpoint", "x")),
                                RECEIVED_MILLIS))
                .isNull();

        assertThat(metrics.unparseableMessages.getCount()).isOne();
        assertThat(metrics.foreignMessages.getCount()).isOne();
    }

    /**
     * The join finds an output stale by its last-modified time; for a notification without an
     * eventTime that is when SQS received the message, never the time the reader happened to read
     * it, or a notification left from an earlier use of the ID would always look fresh.
     */
    @Test
    void aNotificationWithoutEventTimeIsTimedBySentTimestampElseByReceiptAndCounted() {
        NotificationResolver resolver = resolver();
        long sentLongAgo = Instant.parse("2026-11-29T08:00:00Z").toEpochMilli();
        String untimed = withoutEventTime(notification("1", "reviews", "old"));

        CompletionNotification bySentTime =
                resolver.usableNotification(
                        new QueueMessage("m-1", "r-1", untimed, sentLongAgo), RECEIVED_MILLIS);
        CompletionNotification byReceipt =
                resolver.usableNotification(message(untimed), RECEIVED_MILLIS);
        CompletionNotification timed =
                resolver.usableNotification(
                        new QueueMessage("m-2", "r-2", notification("2", "reviews", "t"), 1L),
                        RECEIVED_MILLIS);

        assertThat(bySentTime.eventTimeMillis())
                .as("SentTimestamp stands in")
                .isEqualTo(sentLongAgo);
        assertThat(byReceipt.eventTimeMillis())
                .as("neither: when received, the last resort")
                .isEqualTo(RECEIVED_MILLIS);
        assertThat(timed.eventTimeMillis())
                .as("the eventTime when there is one")
                .isEqualTo(Instant.parse(EVENT_TIME).toEpochMilli());
        assertThat(metrics.eventTimesMissing.getCount()).isEqualTo(2);
    }

    @Test
    void anIncludedResponseIsTheOutputAndOverTheContentLimitOnlyItsSize() {
        Configuration options = new Configuration();
        options.set(WatchOptions.MAX_CONTENT_BYTES, new MemorySize(4));
        NotificationResolver resolver = resolver(options);

        ReceivedNotification tinyReceived =
                resolver.included(
                        message(""), usable(resolver, notification("1", "reviews", "tiny")));
        ReceivedNotification largerReceived =
                resolver.included(
                        message(""), usable(resolver, notification("2", "reviews", "larger")));
        TaggedOutput tiny = tinyReceived.output();
        TaggedOutput larger = largerReceived.output();

        assertThat(tiny.inferenceId()).isEqualTo("1");
        assertThat(new String(tiny.output().content(), StandardCharsets.UTF_8)).isEqualTo("tiny");
        assertThat(tiny.output().size()).isEqualTo(4);
        assertThat(tiny.output().location()).isEqualTo("s3://bucket/out/1.out");
        assertThat(tiny.output().status()).isEqualTo(ResultStatus.SUCCESS);
        assertThat(larger.output().isContentIncluded()).isFalse();
        assertThat(larger.output().size()).isEqualTo(6);
        assertThat(tinyReceived.budgetBytes()).as("held until emitted").isEqualTo(4);
        assertThat(largerReceived.budgetBytes()).as("only the size is held").isZero();
        assertThat(tinyReceived.receiptHandle()).isEqualTo("r-1");
        assertThat(store.getRequests.get()).as("nothing read").isZero();
    }

    @Test
    void readsTheOutputANotificationNamesFromS3() {
        store.put(OUTPUT_2, "{\"label\":\"NEGATIVE\"}", 0L);
        NotificationResolver resolver = resolver();
        CompletionNotification notification = usable(resolver, notification("2", "reviews", null));

        ReceivedNotification received = resolver.read(message(""), notification).join();
        TaggedOutput read = received.output();

        assertThat(received.receiptHandle()).isEqualTo("r-1");
        assertThat(received.budgetBytes()).as("the content's size").isEqualTo(20);
        assertThat(read.inferenceId()).isEqualTo("2");
        assertThat(new String(read.output().content(), StandardCharsets.UTF_8))
                .isEqualTo("{\"label\":\"NEGATIVE\"}");
        assertThat(read.output().location()).isEqualTo("s3://bucket/out/2.out");
        assertThat(read.output().lastModifiedMillis())
                .as("the notification's event time, not the object's")
                .isEqualTo(Instant.parse(EVENT_TIME).toEpochMilli());
        assertThat(metrics.responsesRead.getCount()).isOne();
    }

    /** The notification says it was written: no object is an answer that cannot be read. */
    @Test
    void aMissingObjectIsUnreadable() {
        NotificationResolver resolver = resolver();
        CompletionNotification notification = usable(resolver, notification("2", "reviews", null));

        TaggedOutput read = resolver.read(message(""), notification).join().output();

        assertThat(read.output().isReadable()).isFalse();
        assertThat(read.output().readError()).contains("NoSuchKey");
    }

    /**
     * A location that is not an s3:// URI would fail the job in the join's cleanup, and again on
     * every redelivery: such a message is unparseable, never an output, even with its response.
     */
    @Test
    void aNotificationWhoseLocationIsNotAnS3UriIsUnparseable() {
        NotificationResolver resolver = resolver();
        assertThat(
                        resolver.usableNotification(
                                message(
                                        notification("1", "reviews", "x")
                                                .replace(
                                                        "s3://bucket/out/1.out",
                                                        "https://bucket.s3.amazonaws.com/1.out")),
                                RECEIVED_MILLIS))
                .isNull();
        assertThat(
                        resolver.usableNotification(
                                message(
                                        "{\"invocationStatus\":\"Failed\",\"inferenceId\":\"2\","
                                                + "\"requestParameters\":{\"endpointName\":"
                                                + "\"reviews\"},\"responseParameters\":"
                                                + "{\"failureLocation\":\"failure/2-error.out\"}}"),
                                RECEIVED_MILLIS))
                .isNull();
        assertThat(metrics.unparseableMessages.getCount()).isEqualTo(2);

        // Should one get past the parser, it is not read either.
        CompletionNotification relative =
                new CompletionNotification(
                        "2",
                        "reviews",
                        ResultStatus.MODEL_ERROR,
                        "failure/2-error.out",
                        null,
                        null,
                        0L);
        assertThat(resolver.read(message(""), relative).join()).isNull();
        assertThat(metrics.unparseableMessages.getCount()).isEqualTo(3);
        assertThat(store.getRequests.get()).isZero();
    }

    /**
     * Every kind of error the GET may fail with, against the table written out by hand: at a
     * location a notification named, only the client's own faults fail the job; what may pass
     * leaves the message for redelivery; the rest is that one result's, unreadable.
     */
    @ParameterizedTest
    @EnumSource(AwsErrorKind.class)
    void aFailedReadOfANotifiedLocationIsDecidedByTheKindOfError(AwsErrorKind kind) {
        RuntimeException error = AwsErrorsOfKind.of(kind);
        store.failReads(OUTPUT_2, error);
        NotificationResolver resolver = resolver();
        CompletionNotification notification = usable(resolver, notification("2", "reviews", null));

        CompletableFuture<ReceivedNotification> read = resolver.read(message(""), notification);

        switch (ResultReadFailureTable.expected(kind, ResultLocationOrigin.NOTIFIED)) {
            case FATAL:
                assertThatThrownBy(read::join)
                        .isInstanceOf(CompletionException.class)
                        .cause()
                        .isInstanceOf(FatalAwsException.class)
                        .hasMessageContaining("s3://bucket/out/2.out")
                        .hasMessageContaining("s3:GetObject")
                        .hasMessageContaining(FatalAwsException.advice(kind));
                break;
            case RETRY:
                assertThat(read.join()).as("left for redelivery").isNull();
                assertThat(metrics.responseReadRetries.getCount()).isOne();
                break;
            case UNREADABLE:
                TaggedOutput output = read.join().output();
                assertThat(output.inferenceId()).isEqualTo("2");
                assertThat(output.output().isReadable()).isFalse();
                assertThat(output.output().readError()).contains(AwsErrors.errorCode(error));
                assertThat(metrics.responseReadRetries.getCount()).isZero();
                break;
            default:
                throw new AssertionError("not an action for a notified location");
        }
    }

    /** Nothing at a notified location is not "nothing yet": the resolver does not guess. */
    @ParameterizedTest
    @EnumSource(
            value = ResultReadFailure.class,
            names = {"ABSENT", "DENIED_MAYBE_ABSENT"})
    void aDecisionThatCannotBeForANotifiedLocationFailsLoudly(ResultReadFailure failure) {
        NotificationResolver resolver = resolver();
        CompletionNotification notification = usable(resolver, notification("2", "reviews", null));

        assertThatThrownBy(
                        () ->
                                resolver.onReadFailure(
                                        notification,
                                        AwsErrorsOfKind.of(AwsErrorKind.NO_SUCH_KEY),
                                        failure))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(failure.name());
    }

    private static CompletionNotification usable(NotificationResolver resolver, String body) {
        CompletionNotification notification =
                resolver.usableNotification(message(body), RECEIVED_MILLIS);
        assertThat(notification).as("usable").isNotNull();
        return notification;
    }
}
