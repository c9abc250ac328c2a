package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.submit.SageMakerAsyncOptions;
import io.github.flinksagemaker.connector.submit.SubmitConfig;
import io.github.flinksagemaker.connector.table.SageMakerSqlOptions.InvokeErrorHandling;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
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
        if (configuration.contains(SageMakerAsyncOptions.FAILURE_HANDLING)) {
            throw new IllegalArgumentException(
                    "Option '"
                            + SageMakerAsyncOptions.FAILURE_HANDLING.key()
                            + "' is for the DataStream API; in SQL use '"
                            + SageMakerSqlOptions.INVOKE_ERROR_HANDLING.key()
                            + "' (functions) or 'error-handling-strategy' (models)");
        }
        this.submit = SubmitConfig.from(configuration);
        this.pollInitialDelay = positive(configuration, SageMakerSqlOptions.POLL_INITIAL_DELAY);
        this.pollMaxDelay = positive(configuration, SageMakerSqlOptions.POLL_MAX_DELAY);
        if (pollMaxDelay.compareTo(pollInitialDelay) < 0) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + pollMaxDelay
                            + "' for option '"
                            + SageMakerSqlOptions.POLL_MAX_DELAY.key()
                            + "': allowed are durations of at least '"
                            + SageMakerSqlOptions.POLL_INITIAL_DELAY.key()
                            + "' ("
                            + pollInitialDelay
                            + ")");
        }
        this.errorHandling = enumValue(configuration, SageMakerSqlOptions.INVOKE_ERROR_HANDLING);
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

    /** Reads an option, naming it and the allowed values when the text does not parse. */
    static <T> T parsed(Configuration configuration, ConfigOption<T> option) {
        try {
            return configuration.get(option);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + configuration.toMap().get(option.key())
                            + "' for option '"
                            + option.key()
                            + "': "
                            + e.getMessage(),
                    e);
        }
    }

    static <E extends Enum<E>> E enumValue(Configuration configuration, ConfigOption<E> option) {
        String text = configuration.toMap().get(option.key());
        if (text == null) {
            return configuration.get(option);
        }
        @SuppressWarnings("unchecked")
        Class<E> type = (Class<E>) option.defaultValue().getDeclaringClass();
        for (E value : type.getEnumConstants()) {
            if (value.name().equalsIgnoreCase(text.trim())) {
                return value;
            }
        }
        throw new IllegalArgumentException(
                "Invalid value '"
                        + text
                        + "' for option '"
                        + option.key()
                        + "': allowed are "
                        + java.util.Arrays.toString(type.getEnumConstants()));
    }

    private static Duration positive(Configuration configuration, ConfigOption<Duration> option) {
        Duration value = parsed(configuration, option);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(
                    "Invalid value '"
                            + value
                            + "' for option '"
                            + option.key()
                            + "': allowed are positive durations");
        }
        return value;
    }
}
