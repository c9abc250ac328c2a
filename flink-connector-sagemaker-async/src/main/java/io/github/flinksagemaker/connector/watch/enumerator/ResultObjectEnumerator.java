package io.github.flinksagemaker.connector.watch.enumerator;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.NoMoreResultsEvent;
import io.github.flinksagemaker.connector.config.WatchOptions.StartFrom;
import io.github.flinksagemaker.connector.metrics.ConnectorMetricGroup;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.s3.S3ObjectSummary;
import io.github.flinksagemaker.connector.watch.WatchConfig;
import io.github.flinksagemaker.connector.watch.WatchConfig.WatchedPrefix;
import io.github.flinksagemaker.connector.watch.enumerator.ResultObjectLister.Discovery;
import io.github.flinksagemaker.connector.watch.enumerator.ResultObjectLister.Found;
import io.github.flinksagemaker.connector.watch.enumerator.ResultObjectLister.ListingException;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.clock.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovers result objects with a {@link ResultObjectLister}, one discovery interval after the
 * previous listing ended, remembers what it found per watched prefix ({@link PrefixState},
 * bounded), and hands objects to readers with a {@link SplitAssigner}. Listing runs in the
 * context's worker thread; all state changes happen in the coordinator thread.
 *
 * <p>A listing that fails for wrong credentials, a missing permission or bucket fails the job
 * ({@link FatalAwsException}); any other failure is logged once when a run of failures starts,
 * counted in {@code listFailures}, and retried at the next interval.
 *
 * <p>A {@link NoMoreResultsEvent} (the job's bounded input is done and no result is pending) ends
 * the source: listing stops, nothing more is assigned, and every reader, also one that registers
 * later (after a failover), is told there will be no more splits. Each reader finishes once it has
 * emitted the objects it holds (an object split ends when it is read), so nothing already assigned
 * is dropped. Whether the event came is not checkpointed (the join reports again after a restore),
 * so the state format stays as it is.
 */
@Internal
public final class ResultObjectEnumerator
        implements SplitEnumerator<ResultObjectSplit, WatchEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(ResultObjectEnumerator.class);

    /** How often the worker thread checks whether a discovery is due: the delay's precision. */
    static final long TICK_MILLIS = 100L;

    private final SplitEnumeratorContext<ResultObjectSplit> context;
    private final WatchConfig config;
    private final S3ObjectStore store;
    private final Clock clock;
    private final long startFloorMillis;
    private final ResultObjectLister lister;
    private final SplitAssigner assigner;
    private final Map<String, PrefixState> prefixStates = new HashMap<>();

    /** High-water marks as of the last discovery, for the listing thread to filter with. */
    private volatile Map<String, Long> highWaterMarks = Map.of();

    /** Periodic listings may still be scheduled after close; they must not touch the store. */
    private volatile boolean closed;

    /** Relative time from which the next discovery may run; read and set in the worker thread. */
    private volatile long nextDiscoveryMillis = Long.MIN_VALUE;

    private boolean noMoreSplits;

    /** Set by {@link NoMoreResultsEvent}; read by the worker thread, which then stops listing. */
    private volatile boolean noMoreResults;

    private int failuresInARow;

    private final Counter listRequests;
    private final Counter objectsDiscovered;
    private final Counter listFailures;
    private volatile long discoveryLagMillis;

    public ResultObjectEnumerator(
            SplitEnumeratorContext<ResultObjectSplit> context,
            WatchConfig config,
            S3ObjectStore store,
            Clock clock,
            WatchEnumeratorState restored) {
        this.context = context;
        this.config = config;
        this.store = store;
        this.clock = clock;
        if (restored != null) {
            this.startFloorMillis = restored.startFloorMillis();
            prefixStates.putAll(restored.prefixes());
        } else {
            this.startFloorMillis =
                    config.startFrom() == StartFrom.NOW
                            ? clock.absoluteTimeMillis() - config.lookback().toMillis()
                            : Long.MIN_VALUE;
        }
        for (WatchedPrefix prefix : config.prefixes()) {
            prefixStates.putIfAbsent(prefix.id(), new PrefixState());
        }
        this.lister = new ResultObjectLister(config, store, clock, startFloorMillis);
        this.assigner =
                new SplitAssigner(
                        context,
                        config.splitsPerRequest(),
                        restored != null ? restored.unassigned() : List.of());
        publishHighWaterMarks();

        MetricGroup metrics = ConnectorMetricGroup.in(context.metricGroup());
        this.listRequests = metrics.counter("listRequests");
        this.objectsDiscovered = metrics.counter("objectsDiscovered");
        this.listFailures = metrics.counter("listFailures");
        metrics.gauge("discoveryLagMillis", () -> discoveryLagMillis);
        metrics.gauge("unassignedObjects", assigner::unassignedCount);
        metrics.gauge(
                "trackedKeys",
                () -> prefixStates.values().stream().mapToInt(PrefixState::keyCount).sum());
    }

    /**
     * Ticks finely and discovers at the first tick one interval after the previous listing ended.
     * The context only schedules at a fixed rate: with the interval as its period, a listing slower
     * than the interval made the missed runs follow back to back, each a full listing competing for
     * the CPU and S3. Missed ticks still run back to back, but each is a no-op.
     */
    @Override
    public void start() {
        long tick = Math.min(TICK_MILLIS, config.discoveryInterval().toMillis());
        context.callAsync(this::discoverWhenDue, this::onDiscovered, 0L, tick);
    }

    /** Runs in the worker thread: a discovery if one is due, else null. */
    private Discovery discoverWhenDue() {
        if (noMoreResults || clock.relativeTimeMillis() < nextDiscoveryMillis) {
            return null;
        }
        try {
            return discover();
        } finally {
            nextDiscoveryMillis =
                    clock.relativeTimeMillis() + config.discoveryInterval().toMillis();
        }
    }

    /** Runs in the worker thread; not throttled, every call lists. */
    Discovery discover() {
        return closed ? new Discovery(List.of(), 0, Map.of()) : lister.discover(highWaterMarks);
    }

    /** Runs in the coordinator thread; a null discovery without error is a tick that skipped. */
    void onDiscovered(Discovery discovery, Throwable error) {
        if (closed || noMoreResults || (discovery == null && error == null)) {
            // Listings cut short by shutdown, or no longer needed: nothing to report.
            return;
        }
        if (error != null) {
            onListingFailed(error);
            return;
        }
        if (failuresInARow > 0) {
            LOG.info("Listing the watched prefixes works again after {} failures", failuresInARow);
            failuresInARow = 0;
        }
        if (noMoreSplits) {
            return;
        }
        listRequests.inc(discovery.listRequests());
        long now = clock.absoluteTimeMillis();
        long maxLag = 0;
        int discovered = 0;
        for (Found found : discovery.found()) {
            S3ObjectSummary object = found.object();
            PrefixState state = prefixStates.get(found.prefix().id());
            if (state.remember(found.bucket(), object.key(), object.lastModifiedMillis())) {
                assigner.add(
                        new ResultObjectSplit(
                                new S3Location(found.prefix().root().bucket(), object.key()),
                                found.prefix().status(),
                                object.size(),
                                object.lastModifiedMillis(),
                                object.etag()));
                maxLag = Math.max(maxLag, now - object.lastModifiedMillis());
                discovered++;
            }
        }
        objectsDiscovered.inc(discovered);
        if (discovered > 0) {
            discoveryLagMillis = maxLag;
        }
        forgetWhatListingsSkip(discovery);
        publishHighWaterMarks();
        if (config.bounded() && discovered == 0 && assigner.unassignedCount() == 0) {
            noMoreSplits = true;
            assigner.noMoreSplits();
            LOG.info("Bounded watch: a listing found nothing new; no more splits");
        }
        assigner.assignToWaitingReaders();
    }

    private void onListingFailed(Throwable error) {
        Throwable cause =
                error instanceof ListingException ? error.getCause() : AwsErrors.unwrap(error);
        String where =
                error instanceof ListingException
                        ? String.valueOf(((ListingException) error).location())
                        : "the watched prefixes";
        String advice = FatalAwsException.advice(AwsErrors.classify(cause));
        if (advice != null) {
            // Thrown in the coordinator thread, this fails the job; it is not restarted.
            throw FatalAwsException.of("Listing " + where + " (s3:ListBucket)", cause, advice);
        }
        listFailures.inc();
        if (failuresInARow++ == 0) {
            LOG.warn(
                    "Listing {} failed: {}. Retrying every {}; further failures are counted in"
                            + " listFailures",
                    where,
                    AwsErrors.describe(cause),
                    config.discoveryInterval());
        } else {
            LOG.debug("Listing {} failed again", where, cause);
        }
    }

    private void forgetWhatListingsSkip(Discovery discovery) {
        for (WatchedPrefix prefix : config.prefixes()) {
            PrefixState state = prefixStates.get(prefix.id());
            if (config.timeBuckets() != null) {
                state.retainBuckets(discovery.openBuckets().get(prefix.id()));
            }
            if (state.highWaterMarkMillis() != Long.MIN_VALUE) {
                state.forgetUnbucketedBefore(
                        state.highWaterMarkMillis() - config.lookback().toMillis());
            }
        }
    }

    private void publishHighWaterMarks() {
        Map<String, Long> marks = new HashMap<>();
        prefixStates.forEach((id, state) -> marks.put(id, state.highWaterMarkMillis()));
        highWaterMarks = marks;
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        assigner.requestFrom(subtaskId);
        assigner.assignToWaitingReaders();
    }

    @Override
    public void addSplitsBack(List<ResultObjectSplit> splits, int subtaskId) {
        // Returned by a failed reader: hand them out first, in their order.
        assigner.addBack(splits);
        assigner.assignToWaitingReaders();
    }

    @Override
    public void addReader(int subtaskId) {
        // Readers ask for splits when they run low; after NoMoreResultsEvent one that registers
        // (back from a failover) is told at once, as it may hold restored splits and not ask.
        if (noMoreResults) {
            context.signalNoMoreSplits(subtaskId);
        }
    }

    /**
     * Ends the source on {@link NoMoreResultsEvent}, which comes from the join's coordinator (the
     * subtask means nothing): stops listing and assigning, and tells every reader there will be no
     * more splits. Other events are ignored, as before.
     */
    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (!(event instanceof NoMoreResultsEvent) || noMoreResults) {
            return;
        }
        noMoreResults = true;
        LOG.info(
                "No more results are needed: listing stops, {} discovered objects stay unassigned,"
                        + " and the readers finish once they have emitted what they hold",
                assigner.unassignedCount());
        assigner.stopAssigning();
        // Each registered reader counts as asking, so each is told once.
        context.registeredReaders().keySet().forEach(assigner::requestFrom);
        assigner.assignToWaitingReaders();
    }

    @Override
    public WatchEnumeratorState snapshotState(long checkpointId) {
        return new WatchEnumeratorState(startFloorMillis, prefixStates, assigner.unassigned());
    }

    @Override
    public void close() {
        closed = true;
        store.close();
    }
}
