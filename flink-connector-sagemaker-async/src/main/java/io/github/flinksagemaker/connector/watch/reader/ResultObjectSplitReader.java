package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.aws.AwsErrors;
import io.github.flinksagemaker.connector.aws.FailureBackoff;
import io.github.flinksagemaker.connector.aws.FatalAwsException;
import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.completion.ResultLocationOrigin;
import io.github.flinksagemaker.connector.completion.ResultReadFailure;
import io.github.flinksagemaker.connector.s3.S3ObjectStore;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads assigned result objects with up to {@code concurrency} GETs in flight and within the
 * reader's {@link ByteBudget}, and reports each split finished as soon as its object is read.
 *
 * <p>What can go wrong with one object stays with that object ({@link ResultReadFailure}, for an
 * object the listing saw): over the content limit it is emitted by location only; gone (deleted by
 * someone else) it is logged and counted, not emitted; denied (another writer's KMS key, a bucket
 * policy) or archived it is emitted as unreadable, logged once and counted; a throttled, 5xx or
 * network error is retried later with backoff ({@link FailureBackoff}: one WARN per run of
 * failures). Only faults that doom every object (wrong credentials, a missing bucket, another
 * region) fail the job.
 */
@Internal
public final class ResultObjectSplitReader
        implements SplitReader<FetchedObject, ResultObjectSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ResultObjectSplitReader.class);
    private static final long POLL_MILLIS = 100;
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(200);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

    /** An object to read, with its attempts so far and when it may be tried again. */
    private record Queued(ResultObjectSplit split, int failures, long notBeforeNanos) {}

    /** A finished GET, or a wake-up signal when {@code queued} is null. */
    private record Completion(Queued queued, FetchedObject fetched, Throwable error, long bytes) {}

    private static final Completion WAKE_UP = new Completion(null, null, null, 0);

    private final S3ObjectStore store;
    private final int maxContentBytes;
    private final int concurrency;
    private final ByteBudget budget;
    private final ReaderMetrics metrics;
    private final Deque<Queued> queued = new ArrayDeque<>();
    private final List<Queued> retrying = new ArrayList<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();

    /** Used on the fetcher thread only, as {@link #fetch} handles the completions. */
    private final FailureBackoff backoff =
            new FailureBackoff(FIRST_RETRY_DELAY, MAX_RETRY_DELAY, LOG);

    private int inFlight;

    /**
     * @param store the reader's S3 store, shared by its split readers and closed by the reader
     */
    public ResultObjectSplitReader(
            S3ObjectStore store,
            int maxContentBytes,
            int concurrency,
            ByteBudget budget,
            ReaderMetrics metrics) {
        this.store = store;
        this.maxContentBytes = maxContentBytes;
        this.concurrency = concurrency;
        this.budget = budget;
        this.metrics = metrics;
    }

    @Override
    public RecordsWithSplitIds<FetchedObject> fetch() throws IOException {
        requeueRetriesDue();
        while (inFlight < concurrency && !queued.isEmpty() && start(queued.peekFirst())) {
            queued.pollFirst();
        }
        List<Completion> done = new ArrayList<>();
        try {
            Completion first = completions.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (first != null) {
                done.add(first);
                completions.drainTo(done);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while reading result objects", e);
        }
        RecordsBySplits.Builder<FetchedObject> records = new RecordsBySplits.Builder<>();
        for (Completion completion : done) {
            if (completion == WAKE_UP) {
                continue;
            }
            inFlight--;
            ResultObjectSplit split = completion.queued().split();
            // No content: a failed GET, or none at all (the store's answer for a missing key).
            FetchedObject fetched =
                    completion.fetched() == null
                            ? onError(completion.queued(), completion.error(), completion.bytes())
                            : completion.fetched();
            if (fetched == RETRY) {
                continue;
            }
            if (completion.error() == null) {
                backoff.onSuccess();
            }
            if (fetched != null) {
                records.add(split.splitId(), fetched);
            } else {
                budget.giveBack(completion.bytes());
            }
            records.addFinishedSplit(split.splitId());
        }
        return records.build();
    }

    /** Starts reading one object; false when the byte budget has no room for it yet. */
    private boolean start(Queued next) {
        ResultObjectSplit split = next.split();
        if (split.size() > maxContentBytes) {
            inFlight++;
            completions.add(
                    new Completion(next, new FetchedObject(split, null, null, null, 0), null, 0));
            return true;
        }
        long bytes = split.size();
        if (!budget.tryTake(bytes)) {
            return false;
        }
        inFlight++;
        metrics.getRequests.inc();
        store.getObject(split.location())
                .whenComplete(
                        (content, error) -> {
                            if (content == null) {
                                completions.add(new Completion(next, null, error, bytes));
                                return;
                            }
                            metrics.bytesRead.inc(content.bytes().length);
                            completions.add(
                                    new Completion(
                                            next,
                                            new FetchedObject(
                                                    split,
                                                    content.bytes(),
                                                    content.contentType(),
                                                    null,
                                                    bytes),
                                            null,
                                            bytes));
                        });
        return true;
    }

    /** Marks "read again later": the object is not finished. */
    private static final FetchedObject RETRY = new FetchedObject(null, null, null, null, 0);

    /**
     * What a failed or empty GET means ({@link ResultReadFailure}, for an object the listing saw):
     * null for a vanished object, an unreadable object, or RETRY.
     *
     * @throws FatalAwsException for faults that doom every object
     */
    private FetchedObject onError(Queued failed, Throwable error, long bytes) {
        ResultObjectSplit split = failed.split();
        ResultReadFailure failure =
                error == null
                        ? ResultReadFailure.ABSENT
                        : ResultReadFailure.of(error, ResultLocationOrigin.CONFIGURED_SEEN);
        switch (failure) {
            case ABSENT:
                metrics.objectsVanished.inc();
                LOG.warn(
                        "Result object {} was listed but no longer exists (deleted by someone"
                                + " else?); nothing is emitted for it",
                        split.location());
                return null;
            case FATAL:
                throw FatalAwsException.of(
                        "Reading result object " + split.location() + " (s3:GetObject)",
                        error,
                        FatalAwsException.advice(AwsErrors.classify(error)));
            case RETRY:
                budget.giveBack(bytes);
                metrics.readRetries.inc();
                int failures = failed.failures() + 1;
                Duration delay =
                        backoff.onFailure(
                                "Reading result object " + split.location(), error, failures);
                retrying.add(new Queued(split, failures, System.nanoTime() + delay.toNanos()));
                return RETRY;
            case UNREADABLE:
            default:
                metrics.objectsUnreadable.inc();
                String reason = AwsErrors.describe(error);
                LOG.warn(
                        "Result object {} exists but cannot be read ({}); it is emitted as"
                                + " unreadable",
                        split.location(),
                        reason);
                return new FetchedObject(split, null, null, reason, bytes);
        }
    }

    private void requeueRetriesDue() {
        long now = System.nanoTime();
        Iterator<Queued> due = retrying.iterator();
        while (due.hasNext()) {
            Queued retry = due.next();
            if (now - retry.notBeforeNanos() >= 0) {
                queued.addLast(retry);
                due.remove();
            }
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ResultObjectSplit> change) {
        if (change instanceof SplitsAddition) {
            change.splits().forEach(split -> queued.add(new Queued(split, 0, 0L)));
        }
    }

    @Override
    public void wakeUp() {
        completions.add(WAKE_UP);
    }

    @Override
    public void close() {
        // The store belongs to the reader, which outlives this split reader.
    }
}
