package io.github.flinksagemaker.connector.notification;

import io.github.flinksagemaker.connector.completion.TaggedOutput;
import io.github.flinksagemaker.connector.join.JoinTypes;
import io.github.flinksagemaker.connector.notification.enumerator.QueueEnumeratorState;
import io.github.flinksagemaker.connector.notification.enumerator.QueueEnumeratorStateSerializer;
import io.github.flinksagemaker.connector.notification.enumerator.QueueSplitEnumerator;
import io.github.flinksagemaker.connector.notification.reader.SqsCompletionSourceReader;
import io.github.flinksagemaker.connector.notification.split.QueueSplit;
import io.github.flinksagemaker.connector.notification.split.QueueSplitSerializer;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.Serializable;

/**
 * Completion by notification: every reader long-polls the queue subscribed to the endpoint's SNS
 * SuccessTopic and ErrorTopic and emits each notification as an output tagged with the inference ID
 * the message carries, so the join needs no listing and no location tagging. See {@code
 * docs/completion-modes.md}.
 */
@Internal
public final class SqsCompletionSource<T>
        implements Source<T, QueueSplit, QueueEnumeratorState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final SqsCompletionConfig config;
    private final NotificationClientFactory clients;
    private final NotificationConverter<T> converter;
    private final TypeInformation<T> producedType;

    /** What each notification becomes, e.g. a table row. */
    @FunctionalInterface
    public interface NotificationConverter<T> extends Serializable {
        T convert(TaggedOutput output);
    }

    private SqsCompletionSource(
            SqsCompletionConfig config,
            NotificationClientFactory clients,
            NotificationConverter<T> converter,
            TypeInformation<T> producedType) {
        this.config = config;
        this.clients = clients;
        this.converter = converter;
        this.producedType = producedType;
    }

    /** A source of outputs tagged with their inference ID, as the join consumes them. */
    public static SqsCompletionSource<TaggedOutput> tagged(
            SqsCompletionConfig config, NotificationClientFactory clients) {
        return new SqsCompletionSource<>(
                config, clients, output -> output, JoinTypes.TAGGED_OUTPUT);
    }

    /** A source of what {@code converter} makes of each notification. */
    public static <T> SqsCompletionSource<T> converted(
            SqsCompletionConfig config,
            NotificationClientFactory clients,
            NotificationConverter<T> converter,
            TypeInformation<T> producedType) {
        return new SqsCompletionSource<>(config, clients, converter, producedType);
    }

    public SqsCompletionConfig config() {
        return config;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, QueueSplit> createReader(SourceReaderContext context) {
        return SqsCompletionSourceReader.create(
                clients.queue(config), clients.s3(config), config, converter, context);
    }

    @Override
    public SplitEnumerator<QueueSplit, QueueEnumeratorState> createEnumerator(
            SplitEnumeratorContext<QueueSplit> context) {
        return new QueueSplitEnumerator(context, null);
    }

    @Override
    public SplitEnumerator<QueueSplit, QueueEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<QueueSplit> context, QueueEnumeratorState checkpoint) {
        return new QueueSplitEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<QueueSplit> getSplitSerializer() {
        return QueueSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<QueueEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new QueueEnumeratorStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return producedType;
    }
}
