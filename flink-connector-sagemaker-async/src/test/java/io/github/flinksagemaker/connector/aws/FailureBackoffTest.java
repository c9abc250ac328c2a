package io.github.flinksagemaker.connector.aws;

import io.github.flinksagemaker.connector.testutils.S3Errors;

import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The one rule for retrying: delays that grow within bounds, and one WARN per run of failures. */
class FailureBackoffTest {
    private static final Throwable SLOW_DOWN = S3Errors.of(503, "SlowDown");

    @Test
    void delaysStartAtTheFirstDelayDoubleAndStopAtTheMaxWithHalfJitter() {
        FailureBackoff backoff =
                new FailureBackoff(
                        Duration.ofMillis(100), Duration.ofMillis(1_000), new CapturingLogger());
        for (int round = 0; round < 50; round++) {
            assertThat(backoff.delayFor(1).toMillis()).isBetween(50L, 100L);
            assertThat(backoff.delayFor(2).toMillis()).isBetween(100L, 200L);
            assertThat(backoff.delayFor(3).toMillis()).isBetween(200L, 400L);
            assertThat(backoff.delayFor(5).toMillis()).isBetween(500L, 1_000L);
            assertThat(backoff.delayFor(1_000).toMillis()).isBetween(500L, 1_000L);
        }
    }

    @Test
    void aRunOfFailuresGrowsItsDelayAndASuccessStartsOver() {
        FailureBackoff backoff =
                new FailureBackoff(
                        Duration.ofMillis(100), Duration.ofMillis(1_000), new CapturingLogger());
        assertThat(backoff.onFailure("Reading", SLOW_DOWN).toMillis()).isBetween(50L, 100L);
        assertThat(backoff.onFailure("Reading", SLOW_DOWN).toMillis()).isBetween(100L, 200L);
        assertThat(backoff.onFailure("Reading", SLOW_DOWN).toMillis()).isBetween(200L, 400L);
        assertThat(backoff.failuresInARow()).isEqualTo(3);

        backoff.onSuccess();

        assertThat(backoff.failuresInARow()).isZero();
        assertThat(backoff.onFailure("Reading", SLOW_DOWN).toMillis()).isBetween(50L, 100L);
    }

    @Test
    void itemsRetriedEachOnTheirOwnAreDelayedByTheirOwnFailures() {
        FailureBackoff backoff =
                new FailureBackoff(
                        Duration.ofMillis(100), Duration.ofMillis(1_000), new CapturingLogger());
        backoff.onFailure("Reading a", SLOW_DOWN, 1);
        backoff.onFailure("Reading b", SLOW_DOWN, 1);
        assertThat(backoff.onFailure("Reading c", SLOW_DOWN, 1).toMillis())
                .as("c failed once, whatever failed before it")
                .isBetween(50L, 100L);
        assertThat(backoff.onFailure("Reading a", SLOW_DOWN, 4).toMillis()).isBetween(400L, 800L);
        assertThat(backoff.failuresInARow()).isEqualTo(4);
    }

    @Test
    void warnsOnTheFirstFailureOfARunThenLogsAtDebugWithTheThrowable() {
        CapturingLogger log = new CapturingLogger();
        FailureBackoff backoff =
                new FailureBackoff(Duration.ofMillis(10), Duration.ofMillis(20), log);

        backoff.onFailure("Reading s3://b/k", SLOW_DOWN);
        backoff.onFailure("Reading s3://b/k", SLOW_DOWN);
        backoff.onFailure("Reading s3://b/k", SLOW_DOWN, 7);

        assertThat(log.events)
                .extracting(Event::level)
                .containsExactly(Level.WARN, Level.DEBUG, Level.DEBUG);
        Event warn = log.events.get(0);
        assertThat(warn.message()).contains("Reading s3://b/k", "SlowDown (503)");
        assertThat(warn.thrown()).as("no stack trace at WARN").isNull();
        assertThat(log.events.get(1).thrown()).isSameAs(SLOW_DOWN);
        assertThat(log.events.get(2).message()).contains("3 in a row");

        backoff.onSuccess();
        backoff.onFailure("Reading s3://b/k", SLOW_DOWN);
        assertThat(log.events.get(3).level()).as("a new run warns again").isEqualTo(Level.WARN);
    }

    @Test
    void withoutDebugOnlyTheFirstFailureIsLogged() {
        CapturingLogger log = new CapturingLogger();
        log.debugEnabled = false;
        FailureBackoff backoff =
                new FailureBackoff(Duration.ofMillis(10), Duration.ofMillis(20), log);
        for (int i = 0; i < 5; i++) {
            backoff.onFailure("Reading", SLOW_DOWN);
        }
        assertThat(log.events).extracting(Event::level).containsExactly(Level.WARN);
    }

    private record Event(Level level, String message, Throwable thrown) {}

    /** Records what is logged, with its arguments put into the message as SLF4J would. */
    private static final class CapturingLogger extends AbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<Event> events = new ArrayList<>();
        boolean debugEnabled = true;

        CapturingLogger() {
            this.name = "capturing";
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(
                Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
            events.add(
                    new Event(
                            level,
                            org.slf4j.helpers.MessageFormatter.basicArrayFormat(pattern, arguments),
                            thrown));
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isTraceEnabled(Marker marker) {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return debugEnabled;
        }

        @Override
        public boolean isDebugEnabled(Marker marker) {
            return debugEnabled;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled(Marker marker) {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled(Marker marker) {
            return true;
        }
    }
}
