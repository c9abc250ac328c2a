package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Type information of one of the connector's immutable record types and its serializer. */
@Internal
public final class RecordTypeInfo<T> extends ConnectorTypeInfo<T> {
    private static final long serialVersionUID = 1L;

    private final ImmutableRecordSerializer<T> serializer;

    public RecordTypeInfo(Class<T> typeClass, ImmutableRecordSerializer<T> serializer) {
        super(typeClass, null);
        this.serializer = serializer;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer;
    }
}
