package io.github.flinksagemaker.connector.table;

import io.github.flinksagemaker.connector.testutils.ScriptedIterator;

import org.apache.flink.types.Row;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SQL ITCases trust {@link SqlTestSupport#collectUnbounded} to fail when their query fails,
 * naming the failure, instead of waiting a minute for rows that cannot come.
 */
class SqlTestSupportTest {
    private static final RuntimeException QUERY_FAILED =
            new RuntimeException("Job execution failed: SAGEMAKER_INVOKE_ASYNC gave up");

    @Test
    void aQueryFailingBeforeItsRowsFailsAtOnceNamingTheFailure() {
        long start = System.nanoTime();

        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collectUnbounded(
                                        ScriptedIterator.failing(
                                                List.of(Row.of(1)), QUERY_FAILED, 0),
                                        3,
                                        Duration.ZERO))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("after 1 of 3 rows")
                .hasMessageContaining("SAGEMAKER_INVOKE_ASYNC gave up")
                .hasCause(QUERY_FAILED);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("not after the minute without rows")
                .isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aQueryFailingWhileWatchingForMoreRowsFailsNamingTheFailure() {
        assertThatThrownBy(
                        () ->
                                SqlTestSupport.collectUnbounded(
                                        ScriptedIterator.failing(
                                                List.of(Row.of(1), Row.of(2)), QUERY_FAILED, 100),
                                        2,
                                        Duration.ofMillis(500)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("after all 2 rows, while watching for more")
                .hasCause(QUERY_FAILED);
    }

    @Test
    void aQueryStillRunningGivesItsRowsAfterTheQuietPeriod() throws Exception {
        assertThat(
                        SqlTestSupport.collectUnbounded(
                                ScriptedIterator.open(List.of(Row.of(1), Row.of(2))),
                                2,
                                Duration.ofMillis(100)))
                .containsExactly(Row.of(1), Row.of(2));
    }
}
