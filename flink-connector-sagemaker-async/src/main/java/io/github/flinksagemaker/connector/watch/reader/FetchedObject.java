package io.github.flinksagemaker.connector.watch.reader;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.watch.split.ResultObjectSplit;

import org.apache.flink.annotation.Internal;

/**
 * A result object as fetched: its content, none when it was over the content limit, or the error
 * that kept it from being read; and the budget bytes it holds until emitted.
 */
@Internal
public record FetchedObject(
        ResultObjectSplit split,
        byte[] content,
        String contentType,
        String readError,
        long budgetBytes) {

    InferenceOutput toInferenceOutput() {
        String location = split.location().toString();
        return readError != null
                ? InferenceOutput.unreadable(
                        location,
                        split.status(),
                        split.lastModifiedMillis(),
                        split.size(),
                        split.etag(),
                        readError)
                : new InferenceOutput(
                        location,
                        split.status(),
                        content,
                        contentType,
                        split.lastModifiedMillis(),
                        split.size(),
                        split.etag());
    }
}
