package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.util.Objects;

/**
 * What the serializers of records that carry a user element share: the nested element serializer,
 * duplication, equality and copying. Records are mutable only through their element.
 */
@Internal
public abstract class ElementCarryingSerializer<T, E> extends RecordSerializer<T> {
    private static final long serialVersionUID = 1L;

    private final TypeSerializer<E> elementSerializer;

    protected ElementCarryingSerializer(TypeSerializer<E> elementSerializer) {
        this.elementSerializer = Objects.requireNonNull(elementSerializer, "elementSerializer");
    }

    public final TypeSerializer<E> elementSerializer() {
        return elementSerializer;
    }

    /** The same serializer around another element serializer. */
    protected abstract ElementCarryingSerializer<T, E> withElementSerializer(
            TypeSerializer<E> elementSerializer);

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        TypeSerializer<E> duplicate = elementSerializer.duplicate();
        return duplicate == elementSerializer ? this : withElementSerializer(duplicate);
    }

    /** Copies an element that may be null. */
    protected final E copyElement(E element) {
        return element == null ? null : elementSerializer.copy(element);
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null
                && obj.getClass() == getClass()
                && elementSerializer.equals(
                        ((ElementCarryingSerializer<?, ?>) obj).elementSerializer);
    }

    @Override
    public final int hashCode() {
        return 31 * getClass().hashCode() + elementSerializer.hashCode();
    }
}
