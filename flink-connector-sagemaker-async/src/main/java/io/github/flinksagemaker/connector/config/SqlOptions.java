package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * Options of the SQL surface that the DataStream API does not have: how the functions that wait for
 * a result poll for it, and what {@code SAGEMAKER_INVOKE_ASYNC} and {@code SAGEMAKER_SUBMIT_ASYNC}
 * return when an inference fails. The endpoint, S3 and {@code aws.*} options are the DataStream
 * ones.
 */
@PublicEvolving
public final class SqlOptions {

    public static final ConfigOption<InvokeErrorHandling> INVOKE_ERROR_HANDLING =
            ConfigOptions.key("sagemaker.invoke.error-handling")
                    .enumType(InvokeErrorHandling.class)
                    .defaultValue(InvokeErrorHandling.FAIL)
                    .withDescription(
                            "What SAGEMAKER_INVOKE_ASYNC and SAGEMAKER_SUBMIT_ASYNC return for a"
                                    + " row whose inference failed (model error, rejected, timed"
                                    + " out): FAIL fails the job, NULL returns NULL, ERROR_STRING"
                                    + " returns 'SAGEMAKER_ERROR <status>: <message>' (the error"
                                    + " field of SAGEMAKER_SUBMIT_ASYNC's row).");

    public static final ConfigOption<Duration> POLL_INITIAL_DELAY =
            ConfigOptions.key("sagemaker.result.poll-initial-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription(
                            "SAGEMAKER_INVOKE_ASYNC and ML_PREDICT: first wait before looking for"
                                    + " the result at the returned output and failure locations;"
                                    + " doubles after each miss.");

    public static final ConfigOption<Duration> POLL_MAX_DELAY =
            ConfigOptions.key("sagemaker.result.poll-max-delay")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "SAGEMAKER_INVOKE_ASYNC and ML_PREDICT: the longest wait between two"
                                    + " looks for a result.");

    private SqlOptions() {}

    /** Values of {@link #INVOKE_ERROR_HANDLING}. */
    @PublicEvolving
    public enum InvokeErrorHandling {
        FAIL,
        NULL,
        ERROR_STRING
    }
}
