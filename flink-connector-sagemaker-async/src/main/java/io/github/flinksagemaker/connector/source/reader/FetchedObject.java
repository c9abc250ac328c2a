package io.github.flinksagemaker.connector.source.reader;

import io.github.flinksagemaker.connector.source.InferenceOutput;
import io.github.flinksagemaker.connector.source.split.ResultObjectSplit;

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
