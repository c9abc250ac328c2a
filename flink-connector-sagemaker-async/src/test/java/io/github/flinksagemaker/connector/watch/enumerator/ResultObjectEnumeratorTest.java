package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectContent;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.testutils.InMemoryObjectStore;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.apache.flink.util.clock.ManualClock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The enumerator with Flink's deterministic {@link TestingSplitEnumeratorContext}. */
class ResultObjectEnumeratorTest {
    private static final long T0 = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

    private final InMemoryObjectStore store = new InMemoryObjectStore();
    private final ManualClock clock = new ManualClock(TimeUnit.MILLISECONDS.toNanos(T0));
    private final TestingSplitEnumeratorContext<ResultObjectSplit> context =
            new TestingSplitEnumeratorContext<>(2);

    private static Configuration config() {
        Configuration config = new Configuration();
        config.set(AwsConfigOptions.AWS_REGION, "us-east-1");
        config.set(WatchOptions.OUTPUT_PATH, "s3://b/out");
        config.set(WatchOptions.FAILURE_PATH, "s3://b/failed");
        config.set(WatchOptions.LOOKBACK, Duration.ofMinutes(1));
        config.set(WatchOptions.SPLITS_PER_REQUEST, 2);
        return config;
    }

    private ResultObjectEnumerator enumerator(Configuration config, WatchEnumeratorState state) {
        ResultObjectEnumerator enumerator =
                new ResultObjectEnumerator(context, WatchConfig.from(config), store, clock, state);
        enumerator.start();
        return enumerator;
    }

    /** Runs one discovery: one interval later, the periodic listing, then its handler. */
    private void discover() {
        clock.advanceTime(WatchOptions.DISCOVERY_INTERVAL.defaultValue());
        context.triggerAllActions();
    }

    private static S3Location out(String name) {
        return new S3Location("b", "out/" + name);
    }

    private List<ResultObjectSplit> assignedTo(int reader) {
        var state = context.getSplitAssignments().get(reader);
        return state == null ? List.of() : state.getAssignedSplits();
    }

    @Test
    void discoversObjectsAndKeepsThemUntilAReaderAsks() {
        store.put(out("1.out"), "a", T0);
        store.put(new S3Location("b", "failed/1-error.out"), "boom", T0);
        store.put(new S3Location("b", "outside/x"), "not watched", T0);
        ResultObjectEnumerator enumerator = enumerator(config(), null);

        discover();

        assertThat(context.getSplitAssignments()).isEmpty();
        WatchEnumeratorState state = enumerator.snapshotState(1L);
        assertThat(state.unassigned())
                .extracting(s -> s.location().toString() + " " + s.status())
                .containsExactlyInAnyOrder(
                        "s3://b/out/1.out SUCCESS", "s3://b/failed/1-error.out MODEL_ERROR");

        context.registerReader(0, "host");
        enumerator.handleSplitRequest(0, "host");

        assertThat(assignedTo(0)).hasSize(2);
        assertThat(enumerator.snapshotState(2L).unassigned()).isEmpty();
    }

    @Test
    void assignsToAWaitingReaderAsSoonAsObjectsAppearAndNeverTwice() {
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        context.registerReader(0, "host");
        enumerator.handleSplitRequest(0, "host");
        discover();
        assertThat(assignedTo(0)).isEmpty();

        store.put(out("1.out"), "a", T0);
        discover();
        assertThat(assignedTo(0))
                .extracting(split -> split.location().toString())
                .containsExactly("s3://b/out/1.out");

        enumerator.handleSplitRequest(0, "host");
        discover();
        discover();
        assertThat(assignedTo(0)).hasSize(1);
    }

    @Test
    void assignsAtMostTheBatchSizePerRequest() {
        for (int i = 0; i < 5; i++) {
            store.put(out(i + ".out"), "x", T0);
        }
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        discover();
        context.registerReader(0, "a");
        context.registerReader(1, "b");

        enumerator.handleSplitRequest(0, "a");
        enumerator.handleSplitRequest(1, "b");

        assertThat(assignedTo(0)).hasSize(2);
        assertThat(assignedTo(1)).hasSize(2);
        assertThat(enumerator.snapshotState(1L).unassigned()).hasSize(1);
    }

    @Test
    void splitsOfAFailedReaderGoBackAndAreAssignedAgain() {
        store.put(out("1.out"), "a", T0);
        store.put(out("2.out"), "b", T0);
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        discover();
        context.registerReader(0, "a");
        enumerator.handleSplitRequest(0, "a");
        List<ResultObjectSplit> lost = List.copyOf(assignedTo(0));
        assertThat(lost).hasSize(2);

        enumerator.addSplitsBack(lost, 0);
        assertThat(enumerator.snapshotState(1L).unassigned()).containsExactlyElementsOf(lost);
        discover();
        assertThat(enumerator.snapshotState(2L).unassigned())
                .as("returned splits are not rediscovered as new ones")
                .hasSize(2);

        context.registerReader(1, "b");
        enumerator.handleSplitRequest(1, "b");
        assertThat(assignedTo(1)).containsExactlyElementsOf(lost);
    }

    @Test
    void restoresWithoutRediscoveringWhatWasAlreadyFound() {
        store.put(out("1.out"), "a", T0);
        ResultObjectEnumerator first = enumerator(config(), null);
        discover();
        WatchEnumeratorState checkpoint = first.snapshotState(1L);
        assertThat(checkpoint.unassigned()).hasSize(1);

        store.put(out("2.out"), "b", T0 + 1_000);
        ResultObjectEnumerator restored = enumerator(config(), checkpoint);
        discover();

        assertThat(restored.snapshotState(2L).unassigned())
                .extracting(split -> split.location().toString())
                .containsExactly("s3://b/out/1.out", "s3://b/out/2.out");
    }

    @Test
    void forgetsKeysBehindTheLookbackAndSkipsThemInListings() {
        store.put(out("old.out"), "a", T0);
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        discover();
        store.put(out("new.out"), "b", T0 + Duration.ofMinutes(2).toMillis());
        discover();

        WatchEnumeratorState state = enumerator.snapshotState(1L);
        assertThat(state.trackedKeys())
                .as("old.out is 2 min behind, lookback is 1 min")
                .isEqualTo(1);
        assertThat(state.unassigned()).hasSize(2);
        discover();
        assertThat(enumerator.snapshotState(2L).unassigned()).hasSize(2);
    }

    @Test
    void startFromNowIgnoresObjectsOlderThanTheStartMinusTheLookback() {
        store.put(out("before.out"), "a", T0 - Duration.ofMinutes(5).toMillis());
        store.put(out("recent.out"), "b", T0 - Duration.ofSeconds(30).toMillis());
        Configuration config = config();
        config.set(WatchOptions.START_FROM, WatchOptions.StartFrom.NOW);
        ResultObjectEnumerator enumerator = enumerator(config, null);

        discover();

        assertThat(enumerator.snapshotState(1L).unassigned())
                .extracting(split -> split.location().toString())
                .containsExactly("s3://b/out/recent.out");
    }

    @Test
    void listsOnlyOpenTimeBucketsAndForgetsClosedOnes() {
        Configuration config = config();
        config.set(WatchOptions.TIME_BUCKETS, "r/{yyyy}/{MM}/{dd}/{HH}");
        config.set(WatchOptions.BUCKET_LIFETIME, Duration.ofHours(2));
        store.put(new S3Location("b", "out/r/2026/11/25/10/a.out"), "a", T0);
        store.put(new S3Location("b", "out/r/2026/11/25/03/ancient.out"), "x", T0);
        ResultObjectEnumerator enumerator = enumerator(config, null);

        discover();
        WatchEnumeratorState at10 = enumerator.snapshotState(1L);
        assertThat(at10.unassigned())
                .extracting(split -> split.location().toString())
                .containsExactly("s3://b/out/r/2026/11/25/10/a.out");

        clock.advanceTime(Duration.ofHours(5));
        store.put(new S3Location("b", "out/r/2026/11/25/15/b.out"), "b", T0 + 5 * 3_600_000L);
        store.listRequests.set(0);
        discover();

        WatchEnumeratorState at15 = enumerator.snapshotState(2L);
        assertThat(at15.trackedKeys()).as("bucket 10 closed at 13:00").isEqualTo(1);
        // Open: 12..16 for each of the two prefixes (lifetime 2 h, one hour either side), and the
        // objects directly below the failure prefix.
        assertThat(store.listRequests.get()).isEqualTo(2 * 5 + 1);
    }

    /** Hourly buckets open 07..11 at T0 (10:00) with a 2 h lifetime; 08 is an older one. */
    private static Configuration hourlyBuckets() {
        Configuration config = config();
        config.set(WatchOptions.TIME_BUCKETS, "r/{yyyy}/{MM}/{dd}/{HH}");
        config.set(WatchOptions.BUCKET_LIFETIME, Duration.ofHours(2));
        return config;
    }

    /** Counts the listings of each place, for tests that check which buckets a discovery lists. */
    private S3ObjectStore countingListings(Map<String, Integer> listings) {
        return new DelegatingStore(store) {
            @Override
            public CompletableFuture<Integer> listObjects(
                    S3Location prefix,
                    boolean directChildrenOnly,
                    Consumer<S3ObjectSummary> consumer) {
                listings.merge(prefix.key(), 1, Integer::sum);
                return super.listObjects(prefix, directChildrenOnly, consumer);
            }
        };
    }

    @Test
    void listsRecentBucketsAtEveryDiscoveryAndOlderOnesOncePerOlderBucketInterval() {
        Map<String, Integer> listings = new HashMap<>();
        new ResultObjectEnumerator(
                        context,
                        WatchConfig.from(hourlyBuckets()),
                        countingListings(listings),
                        clock,
                        null)
                .start();

        // Ten minutes of discoveries, one every 2 s, from 10:00:02 (recent-bucket margin 2 min).
        for (int i = 0; i < 300; i++) {
            discover();
        }

        assertThat(listings.get("out/r/2026/11/25/10/"))
                .as("the current bucket, at every discovery")
                .isEqualTo(300);
        assertThat(listings.get("out/r/2026/11/25/09/"))
                .as("the previous bucket, at every discovery while within the margin (2 min)")
                .isBetween(59, 61 + 10);
        assertThat(listings.get("out/r/2026/11/25/08/"))
                .as("an older bucket: once at the start, then once per minute")
                .isBetween(10, 11);
    }

    @Test
    void aResultArrivingLateInAnOlderBucketIsFoundWithinTheOlderBucketInterval() {
        ResultObjectEnumerator enumerator = enumerator(hourlyBuckets(), null);
        discover();
        store.put(new S3Location("b", "out/r/2026/11/25/08/late.out"), "late", T0 + 3_000);

        for (int i = 0; i < 31; i++) {
            discover();
        }

        assertThat(enumerator.snapshotState(1L).unassigned())
                .extracting(split -> split.location().key())
                .containsExactly("out/r/2026/11/25/08/late.out");
    }

    @Test
    void aBoundedWatchListsEveryOpenBucketAtEveryDiscovery() {
        Map<String, Integer> listings = new HashMap<>();
        Configuration config = hourlyBuckets();
        config.set(WatchOptions.BOUNDED, true);
        new ResultObjectEnumerator(
                        context, WatchConfig.from(config), countingListings(listings), clock, null)
                .start();

        discover();
        discover();

        assertThat(listings.get("out/r/2026/11/25/08/"))
                .as("a bounded watch ends on a listing that found nothing new: of every bucket")
                .isEqualTo(2);
    }

    @Test
    void boundedModeSignalsNoMoreSplitsOnceAListingFindsNothingNew() {
        Configuration config = config();
        config.set(WatchOptions.BOUNDED, true);
        store.put(out("1.out"), "a", T0);
        ResultObjectEnumerator enumerator = enumerator(config, null);
        context.registerReader(0, "a");
        enumerator.handleSplitRequest(0, "a");

        discover();
        assertThat(assignedTo(0)).hasSize(1);
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isFalse();

        enumerator.handleSplitRequest(0, "a");
        discover();
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
    }

    /**
     * The event comes from the join's coordinator as subtask 0: listing and assigning stop, and
     * every reader, also one registering later, is told there will be no more splits. What was
     * discovered and not assigned stays in the state, whose format does not change.
     */
    @Test
    void noMoreResultsStopsListingAndAssigningAndTellsEveryReaderNowAndLater() {
        for (int i = 1; i <= 3; i++) {
            store.put(out(i + ".out"), "x", T0);
        }
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        discover();
        context.registerReader(0, "a");
        enumerator.handleSplitRequest(0, "a");
        List<ResultObjectSplit> assigned = List.copyOf(assignedTo(0));
        assertThat(assigned).hasSize(2);
        store.put(out("4.out"), "x", T0);
        ResultObjectLister.Discovery inFlight = enumerator.discover();
        int listings = store.listRequests.get();

        enumerator.handleSourceEvent(0, NoMoreResultsEvent.INSTANCE);

        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isTrue();
        enumerator.onDiscovered(inFlight, null);
        discover();
        discover();
        assertThat(store.listRequests.get()).as("no listing after the event").isEqualTo(listings);

        context.registerReader(1, "b");
        enumerator.addReader(1);
        assertThat(context.getSplitAssignments().get(1).hasReceivedNoMoreSplitsSignal()).isTrue();
        enumerator.handleSplitRequest(1, "b");
        enumerator.addSplitsBack(assigned, 0);
        enumerator.handleSplitRequest(0, "a");

        assertThat(assignedTo(0)).as("nothing more assigned").isEqualTo(assigned);
        assertThat(assignedTo(1)).isEmpty();
        assertThat(enumerator.snapshotState(1L).unassigned())
                .extracting(split -> split.location().key())
                .as("the one left and the two given back; 4.out was never taken in")
                .containsExactlyInAnyOrder("out/1.out", "out/2.out", "out/3.out");
    }

    @Test
    void otherSourceEventsChangeNothing() {
        store.put(out("1.out"), "x", T0);
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        context.registerReader(0, "a");
        enumerator.handleSourceEvent(0, new SourceEvent() {});
        enumerator.handleSplitRequest(0, "a");
        discover();

        assertThat(assignedTo(0)).hasSize(1);
        assertThat(context.getSplitAssignments().get(0).hasReceivedNoMoreSplitsSignal()).isFalse();
    }

    @Test
    void aFailedListingIsRetriedAtTheNextInterval() {
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        enumerator.onDiscovered(null, new RuntimeException("S3 is down"));
        store.put(out("1.out"), "a", T0);
        discover();
        assertThat(enumerator.snapshotState(1L).unassigned()).hasSize(1);
    }

    @Test
    void statusComesFromThePrefix() {
        store.put(new S3Location("b", "failed/x-error.out"), "boom", T0);
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        discover();
        assertThat(enumerator.snapshotState(1L).unassigned())
                .singleElement()
                .extracting(ResultObjectSplit::status)
                .isEqualTo(ResultStatus.MODEL_ERROR);
    }

    @Test
    void withTimeBucketsFailuresDirectlyBelowTheFailurePrefixAreFoundToo() {
        Configuration config = config();
        config.set(WatchOptions.TIME_BUCKETS, "r/{yyyy}/{MM}/{dd}/{HH}");
        store.put(new S3Location("b", "failed/r/2026/11/25/10/bucketed-error.out"), "x", T0);
        store.put(new S3Location("b", "failed/flat-error.out"), "y", T0);
        store.put(new S3Location("b", "out/flat.out"), "not an output layout", T0);
        ResultObjectEnumerator enumerator = enumerator(config, null);

        discover();

        assertThat(enumerator.snapshotState(1L).unassigned())
                .extracting(split -> split.location().key())
                .containsExactlyInAnyOrder(
                        "failed/r/2026/11/25/10/bucketed-error.out", "failed/flat-error.out");
    }

    @Test
    void aKeyWrittenAgainIsDiscoveredAgain() {
        store.put(out("replayed.out"), "first", T0);
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        discover();
        discover();
        assertThat(enumerator.snapshotState(1L).unassigned()).hasSize(1);

        clock.advanceTime(Duration.ofSeconds(10));
        store.put(out("replayed.out"), "second", T0 + 10_000L);
        discover();

        assertThat(enumerator.snapshotState(2L).unassigned())
                .as("a replayed submission overwrote its output key; that copy is new")
                .extracting(ResultObjectSplit::lastModifiedMillis)
                .containsExactly(T0, T0 + 10_000L);
    }

    @Test
    void aListingDeniedForCredentialsFailsTheJobNamingThePrefix() {
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        Throwable denied =
                new ResultObjectLister.ListingException(
                        new S3Location("b", "out/"),
                        software.amazon.awssdk.services.s3.model.S3Exception.builder()
                                .statusCode(403)
                                .awsErrorDetails(
                                        software.amazon.awssdk.awscore.exception.AwsErrorDetails
                                                .builder()
                                                .errorCode("SignatureDoesNotMatch")
                                                .errorMessage("The signature does not match")
                                                .build())
                                .build());

        assertThatThrownBy(() -> enumerator.onDiscovered(null, denied))
                .isInstanceOf(FatalAwsException.class)
                .hasMessageContaining("s3://b/out/")
                .hasMessageContaining("SignatureDoesNotMatch")
                .hasMessageContaining("credentials");
    }

    @Test
    void aSlowListingIsFollowedByOneIntervalNotByMissedRunsBackToBack() {
        AtomicInteger discoveries = new AtomicInteger();
        S3ObjectStore slow =
                new DelegatingStore(store) {
                    @Override
                    public CompletableFuture<Integer> listObjects(
                            S3Location prefix,
                            boolean directChildrenOnly,
                            Consumer<S3ObjectSummary> consumer) {
                        if (prefix.key().startsWith("out")) {
                            discoveries.incrementAndGet();
                        }
                        // Each listing takes 5 s: longer than the 2 s discovery interval.
                        clock.advanceTime(Duration.ofSeconds(5));
                        return super.listObjects(prefix, directChildrenOnly, consumer);
                    }
                };
        new ResultObjectEnumerator(context, WatchConfig.from(config()), slow, clock, null).start();

        context.triggerAllActions();
        assertThat(discoveries).hasValue(1);

        // A fixed-rate schedule runs the ticks missed during the slow listing back to back.
        for (int i = 0; i < 100; i++) {
            context.triggerAllActions();
        }
        assertThat(discoveries).as("missed ticks do not list").hasValue(1);

        clock.advanceTime(Duration.ofMillis(1_999));
        context.triggerAllActions();
        assertThat(discoveries).as("the interval counts from the listing's end").hasValue(1);

        clock.advanceTime(Duration.ofMillis(1));
        context.triggerAllActions();
        assertThat(discoveries).hasValue(2);
    }

    /** Delegates everything to another store; tests override what they change. */
    private static class DelegatingStore implements S3ObjectStore {
        private final S3ObjectStore delegate;

        DelegatingStore(S3ObjectStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<Void> putObject(
                S3Location location, byte[] bytes, String contentType, Duration timeout) {
            return delegate.putObject(location, bytes, contentType, timeout);
        }

        @Override
        public CompletableFuture<Integer> listObjects(
                S3Location prefix, boolean directChildrenOnly, Consumer<S3ObjectSummary> consumer) {
            return delegate.listObjects(prefix, directChildrenOnly, consumer);
        }

        @Override
        public CompletableFuture<S3ObjectSummary> findObject(S3Location location) {
            return delegate.findObject(location);
        }

        @Override
        public CompletableFuture<S3ObjectContent> getObject(S3Location location) {
            return delegate.getObject(location);
        }

        @Override
        public CompletableFuture<List<String>> deleteObjects(String bucket, List<String> keys) {
            return delegate.deleteObjects(bucket, keys);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Test
    void aListingAfterCloseIsSilent() {
        ResultObjectEnumerator enumerator = enumerator(config(), null);
        enumerator.close();
        enumerator.onDiscovered(null, new RuntimeException("the endpoint went away"));
        assertThat(enumerator.discover().found()).isEmpty();
        assertThat(store.listRequests.get()).isZero();
    }
}
