package io.github.flinksagemaker.connector.notification.reader;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.notification.SqsCompletionConfig;
import io.github.flinksagemaker.connector.notification.SqsQueue;

import org.apache.flink.annotation.Internal;
import org.apache.flink.util.TimeUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Warns, once, when messages will come back before the checkpoint that deletes them can complete:
 * when the visibility timeout (the option, or the queue's own, read with sqs:GetQueueAttributes) is
 * shorter than twice the checkpoint interval. Only a warning depends on it: it never fails the job
 * (a receive that cannot work fails it on its own).
 */
@Internal
final class VisibilityTimeoutCheck {
    private static final Logger LOG = LoggerFactory.getLogger(VisibilityTimeoutCheck.class);

    private static final Duration ATTRIBUTES_TIMEOUT = Duration.ofSeconds(30);

    private final SqsQueue queue;
    private final SqsCompletionConfig config;

    /** The job's, or null without checkpoints: see {@link JobCheckpointing}. */
    private final Duration checkpointInterval;

    private boolean checked;

    VisibilityTimeoutCheck(
            SqsQueue queue, SqsCompletionConfig config, Duration checkpointInterval) {
        this.queue = queue;
        this.config = config;
        this.checkpointInterval = checkpointInterval;
    }

    /**
     * Checks on the first call and does nothing on later ones. Asks the queue only when its answer
     * can matter: with checkpoints, and without the option that overrides the queue's own timeout.
     */
    void checkOnce() {
        if (checked) {
            return;
        }
        checked = true;
        if (checkpointInterval == null) {
            return; // messages are deleted as they are emitted: any timeout will do
        }
        if (config.visibilityTimeout() != null) {
            warnIfShort(null);
            return;
        }
        Duration queueTimeout;
        try {
            queueTimeout =
                    queue.visibilityTimeout()
                            .get(ATTRIBUTES_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            // Only a warning depends on it: even AccessDenied must not fail the job (a receive
            // that cannot work fails it on its own).
            Throwable error = e instanceof ExecutionException ? e.getCause() : e;
            LOG.warn(
                    "Could not read the visibility timeout of SQS queue {} ({}); whether it"
                            + " outlasts the checkpoint interval is not checked. Grant"
                            + " sqs:GetQueueAttributes or set '{}' to have it checked",
                    config.queueUrl(),
                    AwsErrors.describe(error),
                    CompletionOptions.SQS_VISIBILITY_TIMEOUT.key());
            return;
        }
        warnIfShort(queueTimeout);
    }

    private void warnIfShort(Duration queueTimeout) {
        String warning =
                warning(
                        config.queueUrl(),
                        queueTimeout,
                        config.visibilityTimeout(),
                        checkpointInterval);
        if (warning != null) {
            LOG.warn(warning);
        }
    }

    /**
     * What to tell the user when messages become visible again before the checkpoint that deletes
     * them completes; null when the visibility timeout is at least twice the checkpoint interval. A
     * message emitted just after a barrier waits for the next checkpoint and its completion: a
     * timeout equal to the interval means regular redeliveries.
     *
     * @param configured the option, which overrides the queue's own; null if not set
     * @param checkpointInterval null without checkpoints (messages are deleted when emitted)
     */
    static String warning(
            String queueUrl,
            Duration queueTimeout,
            Duration configured,
            Duration checkpointInterval) {
        Duration effective = configured != null ? configured : queueTimeout;
        if (checkpointInterval == null
                || effective.compareTo(checkpointInterval.multipliedBy(2)) >= 0) {
            return null;
        }
        long suggestedSeconds =
                Math.min(Duration.ofHours(12).toSeconds(), 2 * checkpointInterval.toSeconds() + 60);
        return "The visibility timeout of "
                + TimeUtils.formatWithHighestUnit(effective)
                + " for SQS queue "
                + queueUrl
                + (configured != null
                        ? " (option '" + CompletionOptions.SQS_VISIBILITY_TIMEOUT.key() + "')"
                        : " (the queue's own)")
                + " is shorter than twice the checkpoint interval of "
                + TimeUtils.formatWithHighestUnit(checkpointInterval)
                + ". Messages are deleted only after the checkpoint covering their emission"
                + " completes, so they will be redelivered before that, received and read again"
                + " and dropped by the join as second copies. Set '"
                + CompletionOptions.SQS_VISIBILITY_TIMEOUT.key()
                + "' (or the queue's VisibilityTimeout) above the checkpoint interval plus the"
                + " time a checkpoint takes, e.g. "
                + suggestedSeconds
                + " s.";
    }
}
