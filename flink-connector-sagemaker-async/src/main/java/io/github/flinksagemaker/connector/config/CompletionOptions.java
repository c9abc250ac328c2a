package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Options of how a job learns that an inference completed: by listing S3, or from SQS. */
@PublicEvolving
public final class CompletionOptions {

    /** How completions are found. */
    @PublicEvolving
    public enum CompletionMode {
        /** List the endpoint's output and failure prefixes (no notification setup needed). */
        S3_LISTING,
        /**
         * Receive the endpoint's SNS success and error notifications from an SQS queue subscribed
         * to both topics; no listing, and no GET when the response is included.
         */
        SQS
    }

    public static final ConfigOption<CompletionMode> MODE =
            ConfigOptions.key("sagemaker.completion.mode")
                    .enumType(CompletionMode.class)
                    .defaultValue(CompletionMode.S3_LISTING)
                    .withDescription(
                            "How the job learns that an inference completed: S3_LISTING lists"
                                    + " the output and failure prefixes every discovery"
                                    + " interval; SQS receives the endpoint's notifications"
                                    + " (AsyncInferenceConfig.OutputConfig.NotificationConfig)"
                                    + " from the queue 'sagemaker.completion.sqs.queue-url'."
                                    + " See docs/completion-modes.md.");

    public static final ConfigOption<String> SQS_QUEUE_URL =
            ConfigOptions.key("sagemaker.completion.sqs.queue-url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The URL of the SQS queue subscribed (raw delivery or SNS"
                                    + " envelopes) to the endpoint's SuccessTopic and ErrorTopic."
                                    + " Required in completion mode SQS. Give each job its own"
                                    + " queue: messages of endpoints the job does not call are"
                                    + " left to the queue's redrive policy.");

    public static final ConfigOption<Duration> SQS_WAIT_TIME =
            ConfigOptions.key("sagemaker.completion.sqs.wait-time")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(20))
                    .withDescription(
                            "How long a ReceiveMessage long poll waits for a message (1 to 20 s)."
                                    + " 20 s keeps an idle reader at about 180 requests an"
                                    + " hour.");

    public static final ConfigOption<Integer> SQS_MAX_MESSAGES =
            ConfigOptions.key("sagemaker.completion.sqs.max-messages")
                    .intType()
                    .defaultValue(10)
                    .withDescription("Messages per ReceiveMessage request (1 to 10).");

    public static final ConfigOption<Integer> SQS_RECEIVE_CONCURRENCY =
            ConfigOptions.key("sagemaker.completion.sqs.receive-concurrency")
                    .intType()
                    .defaultValue(4)
                    .withDescription(
                            "ReceiveMessage calls a reader keeps in flight while messages keep"
                                    + " coming; one when a poll comes back empty. A receive"
                                    + " returns what is there, often fewer than ten, so one call"
                                    + " at a time caps a reader at a few hundred messages a"
                                    + " second.");

    public static final ConfigOption<Duration> SQS_VISIBILITY_TIMEOUT =
            ConfigOptions.key("sagemaker.completion.sqs.visibility-timeout")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "The visibility timeout asked for on receive. A message is deleted"
                                    + " only after the checkpoint covering its emission"
                                    + " completes; one held longer comes back and is dropped by"
                                    + " the join as a second copy, so set this above the"
                                    + " checkpoint interval. After a failover, messages"
                                    + " received since the last checkpoint come back after it."
                                    + " Default: the queue's own.");

    public static final ConfigOption<Integer> SQS_MAX_UNDELETED_MESSAGES =
            ConfigOptions.key("sagemaker.completion.sqs.max-undeleted-messages")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription(
                            "Messages a reader may hold received but not yet deleted (1 to"
                                    + " 120,000). Messages are deleted when the checkpoint"
                                    + " covering their emission completes; while checkpoints"
                                    + " fail, a reader holding this many stops receiving until"
                                    + " one completes, so the job slows down instead of holding"
                                    + " receipt handles without bound and running into SQS's"
                                    + " limit of 120,000 messages in flight per queue. Keep it"
                                    + " above the messages a reader receives per checkpoint"
                                    + " interval, and its product with the parallelism below"
                                    + " 120,000.");

    private CompletionOptions() {}
}
