package io.github.flinksagemaker.connector.completion;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.ResultReadFailureTable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one decision of what a failed GET of a result means, held to {@link ResultReadFailureTable}
 * for every error kind in every location origin.
 */
class ResultReadFailureTest {

    static Stream<Arguments> everyKindInEveryOrigin() {
        return Arrays.stream(AwsErrorKind.values())
                .flatMap(
                        kind ->
                                Arrays.stream(ResultLocationOrigin.values())
                                        .map(origin -> Arguments.of(kind, origin)));
    }

    @ParameterizedTest(name = "{0} at a {1} location")
    @MethodSource("everyKindInEveryOrigin")
    void decidesAsTheTableSays(AwsErrorKind kind, ResultLocationOrigin origin) {
        assertThat(ResultReadFailure.of(kind, origin))
                .isEqualTo(ResultReadFailureTable.expected(kind, origin));
    }

    /** The same decision from the error itself, as the SDK's futures hand it over. */
    @ParameterizedTest(name = "{0} at a {1} location")
    @MethodSource("everyKindInEveryOrigin")
    void decidesTheSameFromTheErrorItself(AwsErrorKind kind, ResultLocationOrigin origin) {
        assertThat(ResultReadFailure.of(new CompletionException(AwsErrorsOfKind.of(kind)), origin))
                .isEqualTo(ResultReadFailureTable.expected(kind, origin));
    }

    /** The intended differences between origins, named. */
    @Test
    void aMessageNeverFailsTheJobForItsBucketNorSaysAbsentForItsObject() {
        for (AwsErrorKind kind : AwsErrorKind.values()) {
            ResultReadFailure configured =
                    ResultReadFailure.of(kind, ResultLocationOrigin.CONFIGURED_SEEN);
            ResultReadFailure notified = ResultReadFailure.of(kind, ResultLocationOrigin.NOTIFIED);
            assertThat(notified).as(kind + " notified").isNotIn(ResultReadFailure.ABSENT);
            if (notified == ResultReadFailure.FATAL) {
                assertThat(kind)
                        .as("only the client's own faults fail the job from a message")
                        .isIn(AwsErrorKind.CREDENTIALS, AwsErrorKind.INSECURE_REQUEST);
            }
            if (kind != AwsErrorKind.ACCESS_DENIED) {
                assertThat(ResultReadFailure.of(kind, ResultLocationOrigin.CONFIGURED_UNSEEN))
                        .as(kind + ": unseen decides as seen, but for a 403")
                        .isEqualTo(configured);
            }
        }
        assertThat(
                        ResultReadFailure.of(
                                AwsErrorKind.ACCESS_DENIED, ResultLocationOrigin.CONFIGURED_UNSEEN))
                .isEqualTo(ResultReadFailure.DENIED_MAYBE_ABSENT);
    }

    /** Every reader fails the job with the kind's advice: a fatal kind without one is a gap. */
    @Test
    void everyFatalDecisionHasAdviceToGive() {
        Set<AwsErrorKind> fatal = EnumSet.noneOf(AwsErrorKind.class);
        for (AwsErrorKind kind : AwsErrorKind.values()) {
            for (ResultLocationOrigin origin : ResultLocationOrigin.values()) {
                if (ResultReadFailure.of(kind, origin) == ResultReadFailure.FATAL) {
                    fatal.add(kind);
                }
            }
        }
        assertThat(fatal).isNotEmpty();
        for (AwsErrorKind kind : fatal) {
            assertThat(FatalAwsException.advice(kind)).as(kind.name()).isNotBlank();
        }
    }
}
