package io.github.flinksagemaker.connector.table;

import org.apache.flink.table.api.config.ExecutionConfigOptions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A SQL row's time against the planner's timeout: it ends before it by 10% (2 s to 15 s), the
 * service is told the same unless the user set it, and an inconsistent result timeout is refused.
 */
class SqlInvokeConfigTest {
    private static Map<String, String> options() {
        Map<String, String> options = new TreeMap<>();
        options.put("sagemaker.endpoint-name", "e");
        options.put("aws.region", "us-east-1");
        return options;
    }

    @ParameterizedTest(name = "planner {0} s: row {1} ms")
    @CsvSource({"6, 4000", "30, 27000", "180, 165000", "3600, 3585000"})
    void aRowEndsBeforeThePlannersTimeout(long plannerSeconds, long rowMillis) {
        SqlInvokeConfig config =
                SqlInvokeConfig.of(options(), Duration.ofSeconds(plannerSeconds), "test", true);

        assertThat(config.rowTimeoutMillis()).isEqualTo(rowMillis);
    }

    @Test
    void withThePlannersDefaultsARowTakesTwoMinutesFortyFiveAndTheServiceIsToldSo() {
        Duration plannerDefault =
                ExecutionConfigOptions.TABLE_EXEC_ASYNC_SCALAR_TIMEOUT.defaultValue();
        assertThat(ExecutionConfigOptions.TABLE_EXEC_ASYNC_ML_PREDICT_TIMEOUT.defaultValue())
                .isEqualTo(plannerDefault);

        SqlInvokeConfig waiting = SqlInvokeConfig.of(options(), plannerDefault, "test", true);
        SqlInvokeConfig submitOnly = SqlInvokeConfig.of(options(), plannerDefault, "test", false);

        assertThat(waiting.rowTimeoutMillis()).isEqualTo(165_000L);
        assertThat(waiting.submit().requestTtlSeconds()).isEqualTo(165);
        assertThat(waiting.submit().invocationTimeoutSeconds()).isEqualTo(165);
        assertThat(submitOnly.submit().requestTtlSeconds())
                .as("a submit-only row does not wait: the model may take the service's time")
                .isNull();
        assertThat(submitOnly.submit().invocationTimeoutSeconds()).isNull();
    }

    @Test
    void theServiceIsToldAtLeastItsMinimumTtlAndWhatTheUserSet() {
        SqlInvokeConfig shortRows = SqlInvokeConfig.of(options(), Duration.ofSeconds(6), "t", true);
        Map<String, String> own = options();
        own.put("sagemaker.request-ttl", "2 h");

        assertThat(shortRows.submit().requestTtlSeconds()).isEqualTo(60);
        assertThat(shortRows.submit().invocationTimeoutSeconds()).isEqualTo(4);
        assertThat(
                        SqlInvokeConfig.of(own, Duration.ofSeconds(6), "t", true)
                                .submit()
                                .requestTtlSeconds())
                .isEqualTo(7200);
    }

    @Test
    void aResultTimeoutMayShortenARowButNotOutliveThePlanner() {
        Map<String, String> shorter = options();
        shorter.put("sagemaker.result.timeout", "30 s");
        Map<String, String> longer = options();
        longer.put("sagemaker.result.timeout", "3 min");

        assertThat(SqlInvokeConfig.of(shorter, Duration.ofMinutes(3), "t", true).rowTimeoutMillis())
                .isEqualTo(30_000L);
        assertThatThrownBy(
                        () ->
                                SqlInvokeConfig.of(
                                        longer, Duration.ofMinutes(3), "'the planner key'", true))
                .hasMessage(
                        "Option 'sagemaker.result.timeout' = PT3M does not end before the"
                                + " planner's timeout of PT3M ('the planner key'): a row still"
                                + " waiting then fails the job. Lower 'sagemaker.result.timeout'"
                                + " to at most PT2M45S, or raise the planner's timeout");
    }
}
