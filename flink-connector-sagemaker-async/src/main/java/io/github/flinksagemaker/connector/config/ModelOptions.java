package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Options of {@code CREATE MODEL ... WITH ('provider' = 'sagemaker-async', ...)} besides the
 * DataStream ones: how INPUT columns become a payload, how the output becomes OUTPUT columns, and
 * error handling named as in Flink's OpenAI model provider.
 */
@PublicEvolving
public final class ModelOptions {
    /** OUTPUT column filled with the error text under IGNORE; NULL for successful rows. */
    public static final String ERROR_STRING_COLUMN = "error-string";

    /** OUTPUT column filled with MODEL_ERROR, REJECTED, TIMED_OUT, UNREADABLE or INVALID_OUTPUT. */
    public static final String ERROR_STATUS_COLUMN = "error-status";

    /** OUTPUT column filled with the inference ID of the row's last attempt. */
    public static final String INFERENCE_ID_COLUMN = "inference-id";

    public static final ConfigOption<InputFormat> INPUT_FORMAT =
            ConfigOptions.key("input-format")
                    .enumType(InputFormat.class)
                    .defaultValue(InputFormat.JSON)
                    .withDescription(
                            "How the INPUT columns become the payload: JSON, an object of the"
                                    + " columns by name (content type application/json); CSV,"
                                    + " one line of the values in column order (text/csv); RAW,"
                                    + " the bytes of the single STRING or BYTES column.");

    public static final ConfigOption<OutputFormat> OUTPUT_FORMAT =
            ConfigOptions.key("output-format")
                    .enumType(OutputFormat.class)
                    .defaultValue(OutputFormat.AUTO)
                    .withDescription(
                            "How the model's output becomes the OUTPUT columns: JSON fills each"
                                    + " column from the output object's field of the same name"
                                    + " (nested objects and arrays into ROW, ARRAY and MAP"
                                    + " columns), from a top-level array by position (whole into"
                                    + " a single ARRAY column), or a single value into a single"
                                    + " column; RAW puts the output into the single STRING or BYTES"
                                    + " column; AUTO is RAW for one STRING or BYTES column, else"
                                    + " JSON. Error metadata columns do not count.");

    public static final ConfigOption<String> INFERENCE_ID_INPUT_COLUMN =
            ConfigOptions.key("sagemaker.inference-id.column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "An INPUT column of type STRING whose value is the row's inference"
                                    + " ID (unique per row, 1-64 printable ASCII characters), sent"
                                    + " as InferenceId and not in the payload. A row replayed"
                                    + " after a failover then waits for its first submission's"
                                    + " result instead of invoking again (needs"
                                    + " sagemaker.s3.input-prefix, where each submission is"
                                    + " recorded). A NULL or invalid ID, or one submitted before"
                                    + " for another payload, is a REJECTED row. Without it, IDs"
                                    + " are random and a replayed row is invoked again.");

    public static final ConfigOption<ErrorHandlingStrategy> ERROR_HANDLING_STRATEGY =
            ConfigOptions.key("error-handling-strategy")
                    .enumType(ErrorHandlingStrategy.class)
                    .defaultValue(ErrorHandlingStrategy.IGNORE)
                    .withDescription(
                            "What a failed row does: IGNORE emits it with NULL outputs and the"
                                    + " error-string, error-status and inference-id OUTPUT"
                                    + " columns filled if declared (logged and counted);"
                                    + " RETRY submits a MODEL_ERROR again with backoff, up to"
                                    + " retry-num times within the row's time, then follows"
                                    + " retry-fallback-strategy (other failures cannot change"
                                    + " and are not retried); FAILOVER fails the job, and the"
                                    + " row is submitted again after the restart.");

    public static final ConfigOption<Integer> RETRY_NUM =
            ConfigOptions.key("retry-num")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Resubmissions of a row that ended MODEL_ERROR, under RETRY.");

    public static final ConfigOption<RetryFallbackStrategy> RETRY_FALLBACK_STRATEGY =
            ConfigOptions.key("retry-fallback-strategy")
                    .enumType(RetryFallbackStrategy.class)
                    .defaultValue(RetryFallbackStrategy.IGNORE)
                    .withDescription(
                            "What RETRY does when retries are exhausted: IGNORE or FAILOVER.");

    private ModelOptions() {}

    /** Values of {@link #INPUT_FORMAT}. */
    @PublicEvolving
    public enum InputFormat {
        JSON,
        CSV,
        RAW
    }

    /** Values of {@link #OUTPUT_FORMAT}. */
    @PublicEvolving
    public enum OutputFormat {
        AUTO,
        JSON,
        RAW
    }

    /** Values of {@link #ERROR_HANDLING_STRATEGY}. */
    @PublicEvolving
    public enum ErrorHandlingStrategy {
        IGNORE,
        RETRY,
        FAILOVER
    }

    /** Values of {@link #RETRY_FALLBACK_STRATEGY}: what follows the last retry, never a retry. */
    @PublicEvolving
    public enum RetryFallbackStrategy {
        IGNORE,
        FAILOVER
    }
}
