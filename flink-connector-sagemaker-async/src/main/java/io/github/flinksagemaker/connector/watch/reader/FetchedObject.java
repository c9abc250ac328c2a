package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.watch.InferenceOutput;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;

/** A result object as fetched: its content, or none when it was over the content limit. */
@Internal
public record FetchedObject(ResultObjectSplit split, byte[] content, String contentType) {

    InferenceOutput toInferenceOutput() {
        return new InferenceOutput(
                split.location().toString(),
                split.status(),
                content,
                contentType,
                split.lastModifiedMillis(),
                split.size(),
                split.etag());
    }
}
