package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.connector.config.CompletionOptions;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.local.FaultInjection;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalNotifications;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.apache.flink.configuration.Configuration;

import java.time.Duration;

/**
 * The examples' embedded default: a local endpoint serving the demo sentiment model, and the
 * connector options that point at it exactly as a user would write them for AWS.
 */
public final class EmbeddedEndpoint {
    static final String NAME = "review-sentiment";

    /** The queue subscribed to the endpoint's success and error notifications. */
    static final String NOTIFICATION_QUEUE = NAME + "-notifications";

    private EmbeddedEndpoint() {}

    /** Starts the local endpoint; the caller closes it. */
    public static LocalSageMakerAsync start(FaultInjection faults) throws Exception {
        LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
        local.registerEndpoint(
                LocalEndpointConfig.builder(NAME)
                        .s3OutputPath("s3://" + local.bucket() + "/async/output")
                        .s3FailurePath("s3://" + local.bucket() + "/async/failure")
                        .maxConcurrentInvocations(64)
                        .model(new SentimentDemoModel())
                        .faults(faults)
                        .notifications(
                                LocalNotifications.builder()
                                        .successQueue(NOTIFICATION_QUEUE)
                                        .errorQueue(NOTIFICATION_QUEUE)
                                        .build())
                        .build());
        return local;
    }

    /** The {@code aws.*} and {@code sagemaker.*} options that target {@code local}. */
    public static Configuration connectorOptions(LocalSageMakerAsync local) {
        Configuration config = Configuration.fromMap(local.connectorAwsOptions());
        config.set(SubmitOptions.ENDPOINT_NAME, NAME);
        config.set(WatchOptions.OUTPUT_PATH, "s3://" + local.bucket() + "/async/output");
        config.set(WatchOptions.FAILURE_PATH, "s3://" + local.bucket() + "/async/failure");
        config.set(SubmitOptions.S3_INPUT_PREFIX, "s3://" + local.bucket() + "/async/input");
        config.set(WatchOptions.DISCOVERY_INTERVAL, Duration.ofMillis(250));
        return config;
    }

    /**
     * The options that switch {@link #connectorOptions} to completion by notification, from the
     * endpoint's queue.
     */
    public static Configuration sqsCompletion(LocalSageMakerAsync local) {
        Configuration config = new Configuration();
        config.set(CompletionOptions.MODE, CompletionOptions.CompletionMode.SQS);
        config.set(CompletionOptions.SQS_QUEUE_URL, local.createQueue(NOTIFICATION_QUEUE));
        return config;
    }
}
