package io.github.flinksagemaker.connector.watch.reader;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads assigned result objects with up to {@code concurrency} GETs in flight, and reports each
 * split finished as soon as its object is read. An object over the content limit is not read: it is
 * emitted by location only. An object that vanished (deleted by someone else) is logged and
 * counted, not emitted.
 */
@Internal
public final class ResultObjectSplitReader
        implements SplitReader<FetchedObject, ResultObjectSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ResultObjectSplitReader.class);
    private static final long POLL_MILLIS = 100;

    /** A finished GET, or a wake-up signal when {@code split} is null. */
    private record Completion(ResultObjectSplit split, FetchedObject fetched, Throwable error) {}

    private static final Completion WAKE_UP = new Completion(null, null, null);

    private final S3ObjectStore store;
    private final int maxContentBytes;
    private final int concurrency;
    private final ReaderMetrics metrics;
    private final Deque<ResultObjectSplit> queued = new ArrayDeque<>();
    private final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private int inFlight;

    public ResultObjectSplitReader(
            S3ObjectStore store, int maxContentBytes, int concurrency, ReaderMetrics metrics) {
        this.store = store;
        this.maxContentBytes = maxContentBytes;
        this.concurrency = concurrency;
        this.metrics = metrics;
    }

    @Override
    public RecordsWithSplitIds<FetchedObject> fetch() throws IOException {
        while (inFlight < concurrency && !queued.isEmpty()) {
            start(queued.pollFirst());
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
            ResultObjectSplit split = completion.split();
            if (completion.error() != null) {
                throw new IOException(
                        "Reading " + split.location() + " failed", completion.error());
            }
            if (completion.fetched() != null) {
                records.add(split.splitId(), completion.fetched());
            } else {
                metrics.objectsVanished.inc();
                LOG.warn(
                        "Result object {} was listed but no longer exists (deleted by someone"
                                + " else?); nothing is emitted for it",
                        split.location());
            }
            records.addFinishedSplit(split.splitId());
        }
        return records.build();
    }

    private void start(ResultObjectSplit split) {
        inFlight++;
        if (split.size() > maxContentBytes) {
            completions.add(new Completion(split, new FetchedObject(split, null, null), null));
            return;
        }
        metrics.getRequests.inc();
        store.getObject(split.location())
                .whenComplete(
                        (content, error) -> {
                            if (content != null) {
                                metrics.bytesRead.inc(content.bytes().length);
                            }
                            completions.add(
                                    new Completion(
                                            split,
                                            content == null
                                                    ? null
                                                    : new FetchedObject(
                                                            split,
                                                            content.bytes(),
                                                            content.contentType()),
                                            error));
                        });
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ResultObjectSplit> change) {
        if (change instanceof SplitsAddition) {
            queued.addAll(change.splits());
        }
    }

    @Override
    public void wakeUp() {
        completions.add(WAKE_UP);
    }

    @Override
    public void close() {
        store.close();
    }
}
