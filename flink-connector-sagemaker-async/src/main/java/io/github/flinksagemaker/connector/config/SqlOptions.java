package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

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
                    .defaultValue(InvokeErrorHandling.NULL)
                    .withDescription(
                            "What SAGEMAKER_INVOKE_ASYNC and SAGEMAKER_SUBMIT_ASYNC return for a"
                                    + " row whose inference failed (model error, rejected, timed"
                                    + " out, unreadable or too large output): NULL returns NULL"
                                    + " (logged and counted), ERROR_STRING returns"
                                    + " 'SAGEMAKER_ERROR <status>: <message>' (the error field of"
                                    + " SAGEMAKER_SUBMIT_ASYNC's row), FAIL fails the job (the"
                                    + " planner's async retry calls the function again first, each"
                                    + " call a new inference).");

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
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "SAGEMAKER_INVOKE_ASYNC and ML_PREDICT: the longest wait between two"
                                    + " looks for a result.");

    public static final ConfigOption<MemorySize> MAX_RESULT_BYTES =
            ConfigOptions.key("sagemaker.result.max-content-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(10))
                    .withDescription(
                            "SAGEMAKER_INVOKE_ASYNC and ML_PREDICT: the largest output read into"
                                    + " a row. A larger output is not read; its row fails with"
                                    + " INVALID_OUTPUT naming its size and location.");

    public static final ConfigOption<String> OPTIONS_FILE =
            ConfigOptions.key("sagemaker.options-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Functions created with CREATE FUNCTION: a properties file with"
                                    + " further options, read on the TaskManagers, so that"
                                    + " credentials, role external IDs and custom attributes stay"
                                    + " out of pipeline.global-job-parameters, which Flink's web UI"
                                    + " and REST API show. A file path, or classpath:NAME for a"
                                    + " resource in the job's jars. Options in the file win.");

    private SqlOptions() {}

    /** Values of {@link #INVOKE_ERROR_HANDLING}. */
    @PublicEvolving
    public enum InvokeErrorHandling {
        NULL,
        ERROR_STRING,
        FAIL
    }
}
