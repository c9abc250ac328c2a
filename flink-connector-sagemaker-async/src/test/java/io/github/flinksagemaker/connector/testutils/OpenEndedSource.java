package io.github.flinksagemaker.connector.testutils;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An input that emits its elements in order and then waits, never ending by itself: declared
 * unbounded, ended only by a cancel or a stop. For tests of a job that must keep running after
 * every element has its result; a bounded input would now let the job finish. Run it with
 * parallelism 1: one reader counts the elements, and only until a restore.
 */
public final class OpenEndedSource {
    private OpenEndedSource() {}

    public static Source<String, ?, ?> of(List<String> elements) {
        List<String> copy = new ArrayList<>(elements);
        return new Unbounded<>(
                new DataGeneratorSource<>(
                        index -> elementAt(copy, index),
                        Long.MAX_VALUE,
                        new FirstOnly(copy.size()),
                        Types.STRING));
    }

    private static String elementAt(List<String> elements, long index) {
        if (index >= elements.size()) {
            throw new IllegalStateException(
                    "Element "
                            + index
                            + " of "
                            + elements.size()
                            + ": the count of elements let through starts again after a restore,"
                            + " so this input is not for tests that restore");
        }
        return elements.get((int) index);
    }

    /** Lets the first {@code count} elements through, then none: the reader waits. */
    private record FirstOnly(int count) implements RateLimiterStrategy<NumberSequenceSplit> {
        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            if (parallelism != 1) {
                throw new IllegalStateException(
                        "one reader counts the elements, not " + parallelism);
            }
            return new RateLimiter<>() {
                private final CompletableFuture<Void> never = new CompletableFuture<>();
                private int given;

                @Override
                public CompletionStage<Void> acquire(int permits) {
                    if (given + permits > count) {
                        return never;
                    }
                    given += permits;
                    return CompletableFuture.completedFuture(null);
                }
            };
        }
    }

    /** {@code source}, declared {@link Boundedness#CONTINUOUS_UNBOUNDED}. */
    private static final class Unbounded<T, S extends SourceSplit, C> implements Source<T, S, C> {
        private static final long serialVersionUID = 1L;

        private final Source<T, S, C> source;

        Unbounded(Source<T, S, C> source) {
            this.source = source;
        }

        @Override
        public Boundedness getBoundedness() {
            return Boundedness.CONTINUOUS_UNBOUNDED;
        }

        @Override
        public SourceReader<T, S> createReader(SourceReaderContext context) throws Exception {
            return source.createReader(context);
        }

        @Override
        public SplitEnumerator<S, C> createEnumerator(SplitEnumeratorContext<S> context)
                throws Exception {
            return source.createEnumerator(context);
        }

        @Override
        public SplitEnumerator<S, C> restoreEnumerator(
                SplitEnumeratorContext<S> context, C checkpoint) throws Exception {
            return source.restoreEnumerator(context, checkpoint);
        }

        @Override
        public SimpleVersionedSerializer<S> getSplitSerializer() {
            return source.getSplitSerializer();
        }

        @Override
        public SimpleVersionedSerializer<C> getEnumeratorCheckpointSerializer() {
            return source.getEnumeratorCheckpointSerializer();
        }
    }
}
