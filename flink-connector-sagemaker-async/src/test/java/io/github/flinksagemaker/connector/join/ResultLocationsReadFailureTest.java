package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.ResultReadFailureTable;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static io.github.flinksagemaker.connector.join.JoinFixtures.SUBMIT;
import static io.github.flinksagemaker.connector.join.JoinFixtures.pending;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The look at an inference's own locations (at the deadline, and the drain's repeated looks) acts
 * on every error kind of a GET of an object it found as {@link ResultReadFailureTable} says for a
 * seen object of the job's paths ({@link ResultLocationOrigin#CONFIGURED_SEEN}). Its exact-key
 * lookup is a LIST, not a read of a result, and keeps its own policy.
 */
class ResultLocationsReadFailureTest {
    private static final WatchConfig WATCH =
            WatchConfig.from(
                    new Configuration()
                            .set(AwsConfigOptions.AWS_REGION, "us-east-1")
                            .set(WatchOptions.OUTPUT_PATH, "s3://b/out")
                            .set(WatchOptions.FAILURE_PATH, "s3://b/failed"));

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final PendingInference<String> pending = pending("id-1");
    private final S3Location output = S3Location.parse(pending.outputLocation(), "test");

    @ParameterizedTest(name = "{0}")
    @EnumSource(AwsErrorKind.class)
    void aFailedGetOfAFoundObjectIsActedOnAsTheTableSays(AwsErrorKind kind) throws Exception {
        ResultReadFailure expected =
                ResultReadFailureTable.expected(kind, ResultLocationOrigin.CONFIGURED_SEEN);
        store.put(output, "the answer", SUBMIT + 1_000);
        Throwable error = AwsErrorsOfKind.of(kind);
        store.failReads(output, new CompletionException(error));

        CompletableFuture<InferenceOutput> look = new ResultLocations(store, WATCH).find(pending);
        Throwable failed = catchThrowable(() -> look.get(5, TimeUnit.SECONDS));

        switch (expected) {
            case ABSENT:
                assertThat(failed).isNull();
                assertThat(look.get()).as("nothing at either location").isNull();
                assertThat(store.findRequests).as("the failure location too").hasValue(2);
                break;
            case UNREADABLE:
                assertThat(failed).isNull();
                InferenceOutput unreadable = look.get();
                assertThat(unreadable.isReadable()).isFalse();
                assertThat(unreadable.location()).isEqualTo(pending.outputLocation());
                assertThat(unreadable.readError()).isEqualTo(AwsErrors.describe(error));
                break;
            case FATAL:
                assertThat(failed)
                        .rootCause()
                        .isInstanceOf(FatalAwsException.class)
                        .hasMessageContaining("inference 'id-1' at " + output)
                        .hasMessageContaining(AwsErrors.describe(error));
                break;
            case RETRY:
                assertThat(failed)
                        .as("the error itself, for the caller to look again")
                        .rootCause()
                        .isSameAs(error);
                break;
            default:
                throw new AssertionError("A found object is never " + expected);
        }
    }

    /** The lookup is no read of a result: any fault with advice fails the job, also a 403. */
    @Test
    void aDeniedLookupIsFatalUnlikeADeniedRead() {
        store.failFinds(
                output, new CompletionException(AwsErrorsOfKind.of(AwsErrorKind.ACCESS_DENIED)));

        Throwable failed =
                catchThrowable(
                        () ->
                                new ResultLocations(store, WATCH)
                                        .find(pending)
                                        .get(5, TimeUnit.SECONDS));

        assertThat(failed).rootCause().isInstanceOf(FatalAwsException.class);
        assertThat(store.getRequests).hasValue(0);
    }
}
