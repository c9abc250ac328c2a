package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.connector.join.InferenceResult;

import org.apache.flink.util.CloseableIterator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.fail;

/**
 * Reads a job's results (from {@code collectAsync}, which is exactly-once across failovers) on its
 * own thread, so that a test can wait for exactly the expected keys and then keep watching: a lost
 * result fails the test once nothing new has arrived for the stall timeout, naming the missing
 * keys; a duplicate that arrives after the last expected result is still seen. Create it after the
 * job was submitted: the iterator needs the job's client.
 */
public final class ResultCollector<E> implements AutoCloseable {
    private final CollectedStream<InferenceResult<E>> results;

    public ResultCollector(CloseableIterator<InferenceResult<E>> iterator) {
        this.results = new CollectedStream<>(iterator, "results");
    }

    public List<InferenceResult<E>> results() {
        return results.items();
    }

    public int size() {
        return results.items().size();
    }

    /**
     * Waits until every expected key has a result; fails naming the missing keys when nothing new
     * arrives for {@code stall}.
     */
    public List<InferenceResult<E>> awaitKeys(
            Collection<String> expected, Function<InferenceResult<E>, String> key, Duration stall)
            throws InterruptedException {
        Set<String> missing = new TreeSet<>(expected);
        int seen = 0;
        long lastProgress = System.nanoTime();
        while (true) {
            List<InferenceResult<E>> now = results();
            for (int i = seen; i < now.size(); i++) {
                missing.remove(key.apply(now.get(i)));
            }
            if (now.size() > seen) {
                seen = now.size();
                lastProgress = System.nanoTime();
            }
            if (missing.isEmpty()) {
                return now;
            }
            Throwable failure = results.failure();
            if (failure != null) {
                fail(
                        "The job's results ended with "
                                + failure
                                + " before "
                                + missing.size()
                                + " results arrived: "
                                + abbreviate(missing),
                        failure);
            }
            if (System.nanoTime() - lastProgress > stall.toNanos()) {
                fail(
                        "No result for "
                                + stall.toSeconds()
                                + " s; "
                                + missing.size()
                                + " results never arrived: "
                                + abbreviate(missing));
            }
            Thread.sleep(50);
        }
    }

    /**
     * Waits {@code quiet} more (several discovery intervals) and returns everything seen; fails if
     * the job's results ended with a failure meanwhile (or before).
     */
    public List<InferenceResult<E>> andNothingMoreFor(Duration quiet) throws InterruptedException {
        Thread.sleep(quiet.toMillis());
        List<InferenceResult<E>> seen = results();
        Throwable failure = results.failure();
        if (failure != null) {
            fail(
                    "The job's results ended with "
                            + failure
                            + " after "
                            + seen.size()
                            + " results, while watching for more",
                    failure);
        }
        return seen;
    }

    private static String abbreviate(Set<String> keys) {
        List<String> first = new ArrayList<>(keys).subList(0, Math.min(20, keys.size()));
        return first + (keys.size() > first.size() ? " and " + (keys.size() - 20) + " more" : "");
    }

    @Override
    public void close() throws Exception {
        results.close();
    }
}
