package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/** Turns a model's output bytes into a typed value, see {@link InferenceResult#output}. */
@PublicEvolving
@FunctionalInterface
public interface ResponseDeserializer<O> extends Serializable {
    O deserialize(byte[] output, String contentType) throws Exception;
}
