package io.github.flinksagemaker.connector.notification;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.WatchOptions;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/** The SQS notification source's configuration, validated where the job is built. */
@Internal
public final class SqsCompletionConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Duration MAX_WAIT_TIME = Duration.ofSeconds(20);
    private static final Duration MAX_VISIBILITY_TIMEOUT = Duration.ofHours(12);
    private static final int MAX_IN_FLIGHT_PER_QUEUE = 120_000;

    private final Configuration configuration;
    private final String queueUrl;
    private final Duration waitTime;
    private final int maxMessages;
    private final int receiveConcurrency;
    private final Duration visibilityTimeout;
    private final int maxContentBytes;
    private final long maxBufferedBytes;
    private final int maxUndeletedMessages;
    private final Set<String> endpointNames;

    private SqsCompletionConfig(Configuration configuration, Set<String> endpointNames) {
        this.configuration = new Configuration(configuration);
        AwsClients.validate(this.configuration);
        this.queueUrl = OptionChecks.required(configuration, CompletionOptions.SQS_QUEUE_URL);
        checkQueueUrl(queueUrl);
        this.waitTime = OptionChecks.positive(configuration, CompletionOptions.SQS_WAIT_TIME);
        // 0 (short polling) would poll back to back while idle.
        if (waitTime.compareTo(Duration.ofSeconds(1)) < 0
                || waitTime.compareTo(MAX_WAIT_TIME) > 0
                || waitTime.toMillis() % 1000 != 0) {
            throw OptionChecks.invalid(
                    CompletionOptions.SQS_WAIT_TIME, waitTime, "whole seconds from 1 to 20 s");
        }
        this.maxMessages =
                OptionChecks.between(
                        configuration, CompletionOptions.SQS_MAX_MESSAGES, 1, SqsQueue.MAX_BATCH);
        this.receiveConcurrency =
                OptionChecks.between(
                        configuration, CompletionOptions.SQS_RECEIVE_CONCURRENCY, 1, 64);
        this.visibilityTimeout =
                configuration.getOptional(CompletionOptions.SQS_VISIBILITY_TIMEOUT).isPresent()
                        ? OptionChecks.notNegative(
                                configuration, CompletionOptions.SQS_VISIBILITY_TIMEOUT)
                        : null;
        // 0 would make every message visible again at once.
        if (visibilityTimeout != null
                && (visibilityTimeout.compareTo(Duration.ofSeconds(1)) < 0
                        || visibilityTimeout.compareTo(MAX_VISIBILITY_TIMEOUT) > 0
                        || visibilityTimeout.toMillis() % 1000 != 0)) {
            throw OptionChecks.invalid(
                    CompletionOptions.SQS_VISIBILITY_TIMEOUT,
                    visibilityTimeout,
                    "whole seconds from 1 s to 12 h");
        }
        this.maxContentBytes =
                (int)
                        OptionChecks.bytesBetween(
                                configuration,
                                WatchOptions.MAX_CONTENT_BYTES,
                                0,
                                OptionChecks.MAX_ARRAY_BYTES);
        this.maxBufferedBytes =
                OptionChecks.get(configuration, WatchOptions.MAX_BUFFERED_BYTES).getBytes();
        if (maxBufferedBytes < 1) {
            throw OptionChecks.invalid(
                    WatchOptions.MAX_BUFFERED_BYTES, maxBufferedBytes, "at least 1 byte");
        }
        // SQS allows 120,000 messages in flight per queue, shared by every reader.
        this.maxUndeletedMessages =
                OptionChecks.between(
                        configuration,
                        CompletionOptions.SQS_MAX_UNDELETED_MESSAGES,
                        1,
                        MAX_IN_FLIGHT_PER_QUEUE);
        this.endpointNames = Set.copyOf(endpointNames);
    }

    /**
     * @param endpointNames the endpoints whose notifications this job consumes; others are counted
     *     and left in the queue
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    public static SqsCompletionConfig from(Configuration configuration, Set<String> endpointNames) {
        return new SqsCompletionConfig(configuration, endpointNames);
    }

    private static void checkQueueUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getHost() == null
                || uri.getPath() == null
                || uri.getPath().length() < 2) {
            throw OptionChecks.invalid(
                    CompletionOptions.SQS_QUEUE_URL,
                    url,
                    "queue URLs such as https://sqs.us-east-1.amazonaws.com/123456789012/results"
                            + " (not an ARN or a queue name)");
        }
    }

    /** The {@code aws.*} options the clients are built from. */
    public Configuration configuration() {
        return configuration;
    }

    public String queueUrl() {
        return queueUrl;
    }

    public Duration waitTime() {
        return waitTime;
    }

    public int maxMessages() {
        return maxMessages;
    }

    /** Receives a reader keeps in flight while messages keep coming. */
    public int receiveConcurrency() {
        return receiveConcurrency;
    }

    /** The visibility timeout to ask for, or null for the queue's own. */
    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    /** Outputs read from S3 (a notification without the response) up to this size. */
    public int maxContentBytes() {
        return maxContentBytes;
    }

    /**
     * Result bytes a reader may hold between receiving and emitting them ({@code
     * sagemaker.watch.max-buffered-bytes}).
     */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /** Messages a reader holds undeleted before it stops receiving. */
    public int maxUndeletedMessages() {
        return maxUndeletedMessages;
    }

    /** Whether a notification from {@code endpointName} (null: it does not say) is this job's. */
    public boolean isOwnEndpoint(String endpointName) {
        return endpointName == null
                || endpointNames.isEmpty()
                || endpointNames.contains(endpointName);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqsCompletionConfig
                && configuration.equals(((SqsCompletionConfig) o).configuration)
                && endpointNames.equals(((SqsCompletionConfig) o).endpointNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configuration, endpointNames);
    }
}
