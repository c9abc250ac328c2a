package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.completion.ByteBudget;
import io.github.flinksagemaker.connector.watch.ResultObjectDeserializer;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplitState;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Emits a fetched object through the deserializer, timestamped with its last-modified time, then
 * marks its split emitted (so no checkpoint taken after this holds it) and gives its bytes back to
 * the reader's budget. All records of one object are emitted in one call, so no checkpoint can fall
 * between them: that is what keeps objects with several records exactly-once without a position
 * inside the split.
 */
@Internal
public final class ResultObjectRecordEmitter<T>
        implements RecordEmitter<FetchedObject, T, ResultObjectSplitState> {
    private final ResultObjectDeserializer<T> deserializer;
    private final Counter numRecordsIn;
    private final ByteBudget budget;

    /**
     * @param numRecordsIn the reader's {@code numRecordsIn}, which {@code SourceReaderBase} counts
     *     once per object; corrected here to count records
     */
    public ResultObjectRecordEmitter(
            ResultObjectDeserializer<T> deserializer, Counter numRecordsIn, ByteBudget budget) {
        this.deserializer = deserializer;
        this.numRecordsIn = numRecordsIn;
        this.budget = budget;
    }

    @Override
    public void emitRecord(
            FetchedObject fetched, SourceOutput<T> output, ResultObjectSplitState state)
            throws Exception {
        long timestamp = fetched.split().lastModifiedMillis();
        long[] emitted = {0};
        try {
            deserializer.deserialize(
                    fetched.toInferenceOutput(),
                    new Collector<>() {
                        @Override
                        public void collect(T record) {
                            output.collect(record, timestamp);
                            emitted[0]++;
                        }

                        @Override
                        public void close() {}
                    });
        } finally {
            budget.giveBack(fetched.budgetBytes());
        }
        state.markEmitted();
        if (emitted[0] != 1) {
            numRecordsIn.inc(emitted[0] - 1);
        }
    }
}
