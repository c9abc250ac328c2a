package io.github.flinksagemaker.connector.table;

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
 * The validated options of one SQL function or model: the DataStream submit options plus how to
 * poll for results and what a failed row becomes. Every error names the option at fault.
 */
@Internal
final class SqlInvokeConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SubmitConfig submit;
    private final Duration pollInitialDelay;
    private final Duration pollMaxDelay;
    private final InvokeErrorHandling errorHandling;

    private SqlInvokeConfig(Configuration configuration) {
        if (configuration.contains(SubmitOptions.FAILURE_HANDLING)) {
            throw new IllegalArgumentException(
                    "Option '"
                            + SubmitOptions.FAILURE_HANDLING.key()
                            + "' is for the DataStream API; in SQL use '"
                            + SqlOptions.INVOKE_ERROR_HANDLING.key()
                            + "' (functions) or 'error-handling-strategy' (models)");
        }
        this.submit = SubmitConfig.from(configuration);
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
        this.errorHandling = OptionChecks.get(configuration, SqlOptions.INVOKE_ERROR_HANDLING);
    }

    static SqlInvokeConfig from(Map<String, String> options) {
        return new SqlInvokeConfig(Configuration.fromMap(options));
    }

    SubmitConfig submit() {
        return submit;
    }

    Duration pollInitialDelay() {
        return pollInitialDelay;
    }

    Duration pollMaxDelay() {
        return pollMaxDelay;
    }

    InvokeErrorHandling errorHandling() {
        return errorHandling;
    }
}
