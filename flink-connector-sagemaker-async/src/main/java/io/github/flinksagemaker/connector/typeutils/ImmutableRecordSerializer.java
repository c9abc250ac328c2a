package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The serializer of an immutable record type without nested serializers: one stateless instance,
 * records never copied. Subclasses write and read the fields.
 */
@Internal
public abstract class ImmutableRecordSerializer<T> extends RecordSerializer<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isImmutableType() {
        return true;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public final T copy(T from) {
        return from;
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }
}
