package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.aws.TableAwsOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.SqlOptions;
import io.github.flinksagemaker.connector.config.SqlOptions.InvokeErrorHandling;
import io.github.flinksagemaker.connector.config.SubmitOptions;
import io.github.flinksagemaker.connector.submit.SubmitConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;

/**
 * The validated options of one SQL function or model: the DataStream submit options plus how long a
 * row may take, how to poll for its result and what a failed row becomes. Every error names the
 * option at fault.
 *
 * <p>A row's time covers its submission and its wait, and ends a little before the planner's async
 * timeout (whose expiry fails the job): a row that outlives it becomes a TIMED_OUT (or REJECTED)
 * row instead. Unless set, the request's RequestTTL and InvocationTimeout are set to the row's
 * time, so the service does not run a model for a row that has given up.
 */
@Internal
final class SqlInvokeConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final long MIN_REQUEST_TTL_SECONDS = 60;
    private static final long MAX_REQUEST_TTL_SECONDS = 6 * 3600;
    private static final long MAX_INVOCATION_TIMEOUT_SECONDS = 3600;

    private final SubmitConfig submit;
    private final long rowTimeoutMillis;
    private final Duration pollInitialDelay;
    private final Duration pollMaxDelay;
    private final long maxResultBytes;
    private final InvokeErrorHandling errorHandling;

    private SqlInvokeConfig(
            Configuration configuration, Duration rowTimeout, boolean awaitsResults) {
        if (configuration.contains(SubmitOptions.FAILURE_HANDLING)) {
            throw new IllegalArgumentException(
                    "Option '"
                            + SubmitOptions.FAILURE_HANDLING.key()
                            + "' is for the DataStream API; in SQL use '"
                            + SqlOptions.INVOKE_ERROR_HANDLING.key()
                            + "' (functions) or 'error-handling-strategy' (models)");
        }
        this.rowTimeoutMillis = rowTimeout.toMillis();
        Configuration withServiceLimits = new Configuration(configuration);
        long rowSeconds = Math.max(1, rowTimeout.toSeconds());
        // Only a row that waits gives up; a submit-only row's model may take its full time.
        if (awaitsResults && !configuration.contains(SubmitOptions.REQUEST_TTL)) {
            withServiceLimits.set(
                    SubmitOptions.REQUEST_TTL,
                    Duration.ofSeconds(
                            Math.min(
                                    MAX_REQUEST_TTL_SECONDS,
                                    Math.max(MIN_REQUEST_TTL_SECONDS, rowSeconds))));
        }
        if (awaitsResults && !configuration.contains(SubmitOptions.INVOCATION_TIMEOUT)) {
            withServiceLimits.set(
                    SubmitOptions.INVOCATION_TIMEOUT,
                    Duration.ofSeconds(Math.min(MAX_INVOCATION_TIMEOUT_SECONDS, rowSeconds)));
        }
        this.submit = SubmitConfig.from(withServiceLimits);
        this.pollInitialDelay = OptionChecks.positive(configuration, SqlOptions.POLL_INITIAL_DELAY);
        this.pollMaxDelay = OptionChecks.positive(configuration, SqlOptions.POLL_MAX_DELAY);
        if (pollMaxDelay.compareTo(pollInitialDelay) < 0) {
            throw OptionChecks.invalid(
                    SqlOptions.POLL_MAX_DELAY,
                    pollMaxDelay,
                    "durations of at least '"
                            + SqlOptions.POLL_INITIAL_DELAY.key()
                            + "' ("
                            + pollInitialDelay
                            + ")");
        }
        this.maxResultBytes =
                OptionChecks.get(configuration, SqlOptions.MAX_RESULT_BYTES).getBytes();
        if (maxResultBytes <= 0) {
            throw OptionChecks.invalid(
                    SqlOptions.MAX_RESULT_BYTES, maxResultBytes, "positive sizes");
        }
        this.errorHandling = OptionChecks.get(configuration, SqlOptions.INVOKE_ERROR_HANDLING);
    }

    /**
     * The configuration of one use: a row's time ends just before the planner's async timeout
     * ({@code table.exec.async-scalar.timeout} for the functions, {@code
     * table.exec.async-ml-predict.timeout} or ML_PREDICT's config map for models); {@code
     * sagemaker.result.timeout}, if set, must end before it too.
     *
     * @param plannerTimeout the planner's timeout in force
     * @param plannerTimeoutSource where it comes from, to name in the error
     * @param awaitsResults whether rows wait for their results (not SAGEMAKER_SUBMIT_ASYNC)
     * @throws IllegalArgumentException naming the first missing or invalid option
     */
    static SqlInvokeConfig of(
            Map<String, String> options,
            Duration plannerTimeout,
            String plannerTimeoutSource,
            boolean awaitsResults) {
        // Job parameters come here as given: in either spelling.
        Configuration configuration =
                Configuration.fromMap(TableAwsOptions.toDataStreamSpelling(options));
        Duration longest = withinPlanner(plannerTimeout);
        Duration rowTimeout = longest;
        if (configuration.contains(SubmitOptions.RESULT_TIMEOUT)) {
            rowTimeout = OptionChecks.positive(configuration, SubmitOptions.RESULT_TIMEOUT);
            if (rowTimeout.compareTo(longest) > 0) {
                throw new IllegalArgumentException(
                        "Option '"
                                + SubmitOptions.RESULT_TIMEOUT.key()
                                + "' = "
                                + rowTimeout
                                + " does not end before the planner's timeout of "
                                + plannerTimeout
                                + " ("
                                + plannerTimeoutSource
                                + "): a row still waiting then fails the job. Lower '"
                                + SubmitOptions.RESULT_TIMEOUT.key()
                                + "' to at most "
                                + longest
                                + ", or raise the planner's timeout");
            }
        }
        return new SqlInvokeConfig(configuration, rowTimeout, awaitsResults);
    }

    /** Checks every option but the timeouts, which depend on the planner's use of it. */
    static void validate(Map<String, String> options, boolean awaitsResults) {
        of(options, UNCHECKED, "(not known yet)", awaitsResults);
    }

    private static final Duration UNCHECKED = Duration.ofDays(36_500);

    /** The longest a row may take and still end with a row before the planner's timeout. */
    static Duration withinPlanner(Duration plannerTimeout) {
        long margin = Math.max(2_000L, Math.min(15_000L, plannerTimeout.toMillis() / 10));
        return Duration.ofMillis(Math.max(1L, plannerTimeout.toMillis() - margin));
    }

    SubmitConfig submit() {
        return submit;
    }

    /** How long a row may take, submission and wait included. */
    long rowTimeoutMillis() {
        return rowTimeoutMillis;
    }

    Duration pollInitialDelay() {
        return pollInitialDelay;
    }

    Duration pollMaxDelay() {
        return pollMaxDelay;
    }

    long maxResultBytes() {
        return maxResultBytes;
    }

    InvokeErrorHandling errorHandling() {
        return errorHandling;
    }
}
