package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.testutils.AwsErrorsOfKind;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.testutils.RecordingMetricGroup;
import io.github.flinksagemaker.connector.testutils.ResultReadFailureTable;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The listing's reader acts on every error kind of a GET as {@link ResultReadFailureTable} says for
 * an object the listing saw ({@link ResultLocationOrigin#CONFIGURED_SEEN}).
 */
class ResultObjectSplitReaderFailureTest {
    private static final S3Location LISTED = new S3Location("b", "out/listed.out");

    @ParameterizedTest(name = "{0}")
    @EnumSource(AwsErrorKind.class)
    void aFailedGetIsActedOnAsTheTableSays(AwsErrorKind kind) throws Exception {
        ResultReadFailure expected =
                ResultReadFailureTable.expected(kind, ResultLocationOrigin.CONFIGURED_SEEN);
        InMemoryObjectStore store = new InMemoryObjectStore();
        store.put(LISTED, "the answer", 1_000L);
        store.failReads(LISTED, new CompletionException(AwsErrorsOfKind.of(kind)));
        RecordingMetricGroup group = new RecordingMetricGroup();
        ByteBudget budget = new ByteBudget(1_000);
        ResultObjectSplitReader reader =
                new ResultObjectSplitReader(
                        store, 100, 4, budget, new ReaderMetrics(group, budget));
        reader.handleSplitsChanges(
                new SplitsAddition<>(
                        List.of(
                                new ResultObjectSplit(
                                        LISTED, ResultStatus.SUCCESS, 10, 1_000L, "\"e\""))));

        if (expected == ResultReadFailure.FATAL) {
            assertThatThrownBy(reader::fetch)
                    .isInstanceOf(FatalAwsException.class)
                    .hasMessageContaining("Reading result object " + LISTED)
                    .hasMessageContaining(AwsErrors.describe(AwsErrorsOfKind.of(kind)));
            return;
        }
        List<FetchedObject> records = new ArrayList<>();
        Set<String> finished = new HashSet<>();
        fetchInto(reader, records, finished);

        switch (expected) {
            case ABSENT:
                assertThat(records).isEmpty();
                assertThat(finished).as("nothing more to read").hasSize(1);
                assertThat(group.count("sagemakerAsync.objectsVanished")).isEqualTo(1);
                assertThat(budget.held()).isZero();
                break;
            case UNREADABLE:
                assertThat(records).hasSize(1);
                assertThat(records.get(0).readError())
                        .contains(AwsErrors.describe(AwsErrorsOfKind.of(kind)));
                assertThat(finished).hasSize(1);
                assertThat(group.count("sagemakerAsync.objectsUnreadable")).isEqualTo(1);
                break;
            case RETRY:
                assertThat(records).isEmpty();
                assertThat(finished).as("read again later").isEmpty();
                assertThat(group.count("sagemakerAsync.readRetries")).isEqualTo(1);
                assertThat(budget.held()).as("no bytes held while waiting").isZero();
                store.failReads(LISTED, null);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (finished.isEmpty()) {
                    assertThat(System.nanoTime()).as("read again in time").isLessThan(deadline);
                    fetchInto(reader, records, finished);
                }
                assertThat(records)
                        .extracting(FetchedObject::readError)
                        .containsExactly((String) null);
                break;
            default:
                throw new AssertionError("The listing never sees " + expected);
        }
    }

    /** The store answers a missing key with no content, as S3's 404: vanished, and counted. */
    @Test
    void aListedObjectGoneSinceIsCountedAsVanished() throws Exception {
        InMemoryObjectStore store = new InMemoryObjectStore();
        RecordingMetricGroup group = new RecordingMetricGroup();
        ByteBudget budget = new ByteBudget(1_000);
        ResultObjectSplitReader reader =
                new ResultObjectSplitReader(
                        store, 100, 4, budget, new ReaderMetrics(group, budget));
        reader.handleSplitsChanges(
                new SplitsAddition<>(
                        List.of(
                                new ResultObjectSplit(
                                        LISTED, ResultStatus.SUCCESS, 10, 1_000L, "\"e\""))));
        List<FetchedObject> records = new ArrayList<>();
        Set<String> finished = new HashSet<>();

        fetchInto(reader, records, finished);

        assertThat(records).isEmpty();
        assertThat(finished).hasSize(1);
        assertThat(group.count("sagemakerAsync.objectsVanished")).isEqualTo(1);
        assertThat(budget.held()).isZero();
    }

    private static void fetchInto(
            ResultObjectSplitReader reader, List<FetchedObject> records, Set<String> finished)
            throws Exception {
        RecordsWithSplitIds<FetchedObject> batch = reader.fetch();
        while (batch.nextSplit() != null) {
            for (FetchedObject r = batch.nextRecordFromSplit();
                    r != null;
                    r = batch.nextRecordFromSplit()) {
                records.add(r);
            }
        }
        finished.addAll(batch.finishedSplits());
    }
}
