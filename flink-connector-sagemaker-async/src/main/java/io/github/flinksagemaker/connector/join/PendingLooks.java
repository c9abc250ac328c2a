package io.github.flinksagemaker.connector.join;

import io.github.flinksagemaker.connector.aws.AwsErrorKind;
import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FailureBackoff;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.submit.PendingInference;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Looks at pending inferences' own result locations ({@link ResultLocations}) on behalf of the
 * join, when no listing or notification will bring their results: after a restore, the
 * notifications consumed after the snapshot; once the result source has ended, any. Looks run on
 * the SDK's threads, at most {@link #MAX_LOOKS_IN_FLIGHT} at a time per subtask so that a large
 * backlog does not hold up the job; what they find is handed to the join on the task's thread,
 * where it enters as if a notification had brought it.
 *
 * <p>A look that finds nothing is repeated after {@code repeatMillis}, or not at all when that is
 * zero. An inference stops being looked at once it is no longer pending: answered, or past its
 * deadline. Errors are retried with backoff; throttling lengthens the wait but uses up no tries.
 */
@Internal
final class PendingLooks<E> {
    private static final Logger LOG = LoggerFactory.getLogger(PendingLooks.class);

    static final int MAX_LOOKS_IN_FLIGHT = 32;

    /** How often looks are started and their findings applied, on the task's thread. */
    static final long TICK_MILLIS = 100;

    /**
     * Tries per inference, with backoff from {@link #FIRST_RETRY_MILLIS} doubling to {@link
     * #MAX_RETRY_MILLIS} (about 3 minutes in all), so that a burst of SlowDown when every subtask
     * looks at once does not give up the looks. A look that keeps failing is left to the deadline.
     */
    private static final int MAX_TRIES = 10;

    private static final long FIRST_RETRY_MILLIS = 200;
    private static final long MAX_RETRY_MILLIS = 30_000;

    /** The join's side: its pending inferences and where findings go, on the task's thread. */
    interface Join<E> {
        /** The pending record of {@code inferenceId}, or null once it is no longer pending. */
        PendingInference<E> pendingOf(String inferenceId) throws Exception;

        /** Hands over the object found at the inference's locations. */
        void found(String inferenceId, InferenceOutput output) throws Exception;
    }

    /** What one look ended with: the object found (null when none), or the error. */
    private record Finding(String inferenceId, InferenceOutput output, Throwable error) {}

    /** A look to make again, not before {@code atMillis}. */
    private record Retry(String inferenceId, long atMillis) {}

    private final Join<E> join;
    private final ResultLocations locations;
    private final ProcessingTimeService time;
    private final Counter looks;
    private final Counter found;
    private final long repeatMillis;

    private final Set<String> tracked = new HashSet<>();
    private final Deque<String> toLook = new ArrayDeque<>();
    private final PriorityQueue<Retry> retries =
            new PriorityQueue<>(Comparator.comparingLong(Retry::atMillis));
    private final Map<String, Integer> tries = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Queue<Finding> findings = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private boolean ticking;
    private final FailureBackoff backoff =
            new FailureBackoff(
                    Duration.ofMillis(FIRST_RETRY_MILLIS),
                    Duration.ofMillis(MAX_RETRY_MILLIS),
                    LOG);
    private int givenUp;

    /**
     * @param repeatMillis how long after finding nothing to look again; 0 looks once
     */
    PendingLooks(
            Join<E> join,
            ResultLocations locations,
            ProcessingTimeService time,
            Counter looks,
            Counter found,
            long repeatMillis) {
        this.join = join;
        this.locations = locations;
        this.time = time;
        this.looks = looks;
        this.found = found;
        this.repeatMillis = repeatMillis;
    }

    /** Starts looking at these inferences' locations; one already looked at is not added twice. */
    void lookAt(Collection<String> inferenceIds) {
        for (String id : inferenceIds) {
            if (tracked.add(id)) {
                toLook.add(id);
            }
        }
        if (!ticking && !toLook.isEmpty()) {
            scheduleTick();
        }
    }

    /** Whether every look has ended. */
    boolean isDone() {
        return tracked.isEmpty();
    }

    private void scheduleTick() {
        ticking = true;
        time.registerTimer(time.getCurrentProcessingTime() + TICK_MILLIS, now -> tick());
    }

    private void tick() throws Exception {
        long now = time.getCurrentProcessingTime();
        for (Finding finding = findings.poll(); finding != null; finding = findings.poll()) {
            apply(finding, now);
        }
        while (!retries.isEmpty() && retries.peek().atMillis() <= now) {
            toLook.add(retries.poll().inferenceId());
        }
        while (inFlight.get() < MAX_LOOKS_IN_FLIGHT && !toLook.isEmpty()) {
            start(toLook.poll());
        }
        if (!tracked.isEmpty()) {
            scheduleTick();
            return;
        }
        ticking = false;
        if (givenUp > 0) {
            LOG.warn(
                    "Looking at the result locations of {} pending inferences kept failing;"
                            + " their deadlines decide",
                    givenUp);
            givenUp = 0;
        }
    }

    private void start(String inferenceId) throws Exception {
        PendingInference<E> pending = join.pendingOf(inferenceId);
        if (pending == null || pending.outputLocation() == null) {
            done(inferenceId); // answered meanwhile, or its locations are unknown
            return;
        }
        inFlight.incrementAndGet();
        looks.inc();
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
        String id = finding.inferenceId();
        if (finding.error() != null) {
            if (AwsErrors.unwrap(finding.error()) instanceof FatalAwsException) {
                // Dooms every look (credentials, a permission, the bucket): fail the job now
                // rather than give up on each inference after its tries.
                throw (FatalAwsException) AwsErrors.unwrap(finding.error());
            }
            boolean throttled = AwsErrors.classify(finding.error()) == AwsErrorKind.THROTTLED;
            int tried = throttled ? tries.getOrDefault(id, 0) : tries.merge(id, 1, Integer::sum);
            int failed = failures.merge(id, 1, Integer::sum);
            long delay =
                    backoff.onFailure(
                                    "Looking at the result locations of pending inference '"
                                            + id
                                            + "'",
                                    finding.error(),
                                    failed)
                            .toMillis();
            if (tried < MAX_TRIES) {
                retries.add(new Retry(id, now + delay));
            } else {
                givenUp++;
                done(id);
            }
            return;
        }
        backoff.onSuccess();
        if (finding.output() != null) {
            found.inc();
            join.found(id, finding.output());
        }
        if (finding.output() != null && join.pendingOf(id) == null) {
            done(id);
        } else if (repeatMillis > 0) {
            // Nothing there yet, or an object the join refused (stale): look again.
            failures.remove(id);
            retries.add(new Retry(id, now + repeatMillis));
        } else {
            done(id);
        }
    }

    private void done(String inferenceId) {
        tracked.remove(inferenceId);
        tries.remove(inferenceId);
        failures.remove(inferenceId);
    }
}
