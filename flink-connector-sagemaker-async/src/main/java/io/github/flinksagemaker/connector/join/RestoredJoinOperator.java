package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.submit.PendingInference;
import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.WatchClientFactory;
import io.github.flinksagemaker.connector.watch.WatchConfig;

import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The join, which after a restore looks at the locations of every inference the snapshot holds
 * pending, soon instead of at its deadline. Completion notifications are deleted once a checkpoint
 * after them completes, so a restore from an older retained checkpoint or a savepoint never sees
 * again those consumed after its snapshot: without this look, their elements would wait for their
 * deadlines (hours). What a look finds enters the join as if a notification had brought it, with
 * the same stale check and duplicate handling; what it does not find stays pending for its
 * notification or its deadline.
 *
 * <p>Cost: one exact-key lookup (LIST with max-keys 1) per pending inference and restore, a second
 * one at the failure location when the output is absent, and a GET for each result found; at most
 * {@link #MAX_LOOKS_IN_FLIGHT} at a time per subtask, so a large backlog does not hold up the job.
 */
@Internal
public final class RestoredJoinOperator<E>
        extends KeyedCoProcessOperator<
                String, PendingInference<E>, TaggedOutput, InferenceResult<E>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestoredJoinOperator.class);

    static final int MAX_LOOKS_IN_FLIGHT = 32;

    /** How often looks are started and their findings applied, on the task's thread. */
    static final long TICK_MILLIS = 100;

    /**
     * Tries per inference, with backoff from {@link #FIRST_RETRY_MILLIS} doubling to {@link
     * #MAX_RETRY_MILLIS} (about 3 minutes in all), so that a burst of SlowDown when every subtask
     * looks at once does not give up the looks; throttling does not count as a try. A look that
     * keeps failing is left to the notification or the deadline look.
     */
    private static final int MAX_TRIES = 10;

    private static final long FIRST_RETRY_MILLIS = 200;
    private static final long MAX_RETRY_MILLIS = 30_000;

    private final InferenceResultJoin<E> join;
    private final WatchConfig watch;
    private final WatchClientFactory clientFactory;

    private transient boolean restored;
    private transient Deque<String> toLook;
    private transient PriorityQueue<Retry> retries;
    private transient Map<String, Integer> tries;
    private transient Map<String, Integer> failures;
    private transient int givenUp;
    private transient boolean warned;
    private transient Queue<Finding> findings;
    private transient AtomicInteger inFlight;
    private transient S3ObjectStore store;
    private transient ResultLocations locations;
    private transient JoinMetrics metrics;

    /** What one look ended with: the object found (null when none), or the error. */
    private record Finding(String inferenceId, InferenceOutput output, Throwable error) {}

    /** A look to make again, not before {@code atMillis}. */
    private record Retry(String inferenceId, long atMillis) {}

    public RestoredJoinOperator(
            InferenceResultJoin<E> join, WatchConfig watch, WatchClientFactory clientFactory) {
        super(join);
        this.join = join;
        this.watch = watch;
        this.clientFactory = clientFactory;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (!restored) {
            return;
        }
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> keys =
                backend.getKeys(InferenceResultJoin.PENDING_STATE, VoidNamespace.INSTANCE)) {
            toLook = keys.collect(Collectors.toCollection(ArrayDeque::new));
        }
        if (toLook.isEmpty()) {
            return;
        }
        LOG.info(
                "Restored {} pending inferences; looking at their result locations now rather"
                        + " than at their deadlines",
                toLook.size());
        tries = new HashMap<>();
        failures = new HashMap<>();
        retries = new PriorityQueue<>(Comparator.comparingLong(Retry::atMillis));
        findings = new ConcurrentLinkedQueue<>();
        inFlight = new AtomicInteger();
        store = clientFactory.s3(watch);
        locations = new ResultLocations(store, watch);
        metrics = join.metrics();
        scheduleTick();
    }

    private void scheduleTick() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + TICK_MILLIS, time -> tick());
    }

    /** On the task's thread: applies what the looks found, then starts more. */
    private void tick() throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (Finding finding = findings.poll(); finding != null; finding = findings.poll()) {
            apply(finding, now);
        }
        while (!retries.isEmpty() && retries.peek().atMillis() <= now) {
            toLook.add(retries.poll().inferenceId());
        }
        while (inFlight.get() < MAX_LOOKS_IN_FLIGHT && !toLook.isEmpty()) {
            start(toLook.poll());
        }
        if (!toLook.isEmpty() || !retries.isEmpty() || inFlight.get() > 0 || !findings.isEmpty()) {
            scheduleTick();
            return;
        }
        closeStore();
        if (givenUp > 0) {
            LOG.warn(
                    "Looking at the result locations of {} restored inferences kept failing;"
                            + " their notifications or their deadlines decide",
                    givenUp);
        }
    }

    private void start(String inferenceId) throws Exception {
        setCurrentKey(inferenceId);
        PendingInference<E> pending = join.pendingOfCurrentKey();
        if (pending == null || pending.outputLocation() == null) {
            return; // answered meanwhile, or its locations are unknown
        }
        inFlight.incrementAndGet();
        metrics.restoredLooks.inc();
        CompletableFuture<InferenceOutput> look;
        try {
            look = locations.find(pending);
        } catch (RuntimeException e) {
            look = CompletableFuture.failedFuture(e);
        }
        look.whenComplete(
                (output, error) -> {
                    findings.add(new Finding(inferenceId, output, error));
                    inFlight.decrementAndGet();
                });
    }

    private void apply(Finding finding, long now) throws Exception {
        if (finding.error() != null) {
            boolean throttled = AwsErrors.classify(finding.error()) == AwsErrorKind.THROTTLED;
            int tried =
                    throttled
                            ? tries.getOrDefault(finding.inferenceId(), 0)
                            : tries.merge(finding.inferenceId(), 1, Integer::sum);
            // Every failure lengthens the wait, throttling too; only other errors use up tries.
            int failed = failures.merge(finding.inferenceId(), 1, Integer::sum);
            if (!warned) {
                warned = true;
                LOG.warn(
                        "Looking at the result locations of restored inference '{}' failed ({});"
                                + " trying again with backoff",
                        finding.inferenceId(),
                        AwsErrors.describe(finding.error()));
            }
            if (tried < MAX_TRIES) {
                long delay =
                        Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(failed - 1, 8));
                retries.add(new Retry(finding.inferenceId(), now + delay));
            } else {
                givenUp++;
            }
            return;
        }
        if (finding.output() == null) {
            return;
        }
        metrics.restoredLooksFound.inc();
        setCurrentKey(finding.inferenceId());
        processElement2(
                new StreamRecord<>(new TaggedOutput(finding.inferenceId(), finding.output())));
    }

    private void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            closeStore();
        } finally {
            super.close();
        }
    }
}
