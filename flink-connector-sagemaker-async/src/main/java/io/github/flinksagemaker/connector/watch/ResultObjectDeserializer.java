package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;
import io.github.flinksagemaker.connector.completion.InferenceOutputTypeInfo;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.io.Serializable;

/**
 * Turns a result object into zero or more records. The default, {@link #inferenceOutputs()}, emits
 * each object as an {@link InferenceOutput}; a custom one can, for example, parse JSON lines of a
 * batch output into several records.
 */
@PublicEvolving
public interface ResultObjectDeserializer<T> extends Serializable, ResultTypeQueryable<T> {

    void deserialize(InferenceOutput object, Collector<T> out) throws IOException;

    /** Each result object as one {@link InferenceOutput}. */
    static ResultObjectDeserializer<InferenceOutput> inferenceOutputs() {
        return new ResultObjectDeserializer<>() {
            private static final long serialVersionUID = 1L;

            @Override
            public void deserialize(InferenceOutput object, Collector<InferenceOutput> out) {
                out.collect(object);
            }

            @Override
            public TypeInformation<InferenceOutput> getProducedType() {
                return new InferenceOutputTypeInfo();
            }
        };
    }
}
