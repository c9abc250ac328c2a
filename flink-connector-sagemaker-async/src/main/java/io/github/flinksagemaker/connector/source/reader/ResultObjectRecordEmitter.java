package io.github.flinksagemaker.connector.source.reader;

import io.github.flinksagemaker.connector.source.ResultObjectDeserializer;
import io.github.flinksagemaker.connector.source.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

/** Emits a fetched object through the deserializer, timestamped with its last-modified time. */
@Internal
public final class ResultObjectRecordEmitter<T>
        implements RecordEmitter<FetchedObject, T, ResultObjectSplit> {
    private final ResultObjectDeserializer<T> deserializer;

    public ResultObjectRecordEmitter(ResultObjectDeserializer<T> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void emitRecord(FetchedObject fetched, SourceOutput<T> output, ResultObjectSplit split)
            throws Exception {
        long timestamp = fetched.split().lastModifiedMillis();
        deserializer.deserialize(
                fetched.toInferenceOutput(),
                new Collector<>() {
                    @Override
                    public void collect(T record) {
                        output.collect(record, timestamp);
                    }

                    @Override
                    public void close() {}
                });
    }
}
