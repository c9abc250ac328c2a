package io.github.flinksagemaker.connector.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.Objects;

/**
 * What the serializers of records that carry a user element share: the nested element serializer,
 * duplication, equality, and the copy and reuse plumbing. Records are mutable only through their
 * element, so reuse variants simply create new records.
 */
@Internal
public abstract class ElementCarryingSerializer<T, E> extends TypeSerializer<T> {
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

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
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
