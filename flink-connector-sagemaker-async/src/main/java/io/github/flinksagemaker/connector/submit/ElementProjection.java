package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * What of an element to carry alongside its pending inference (and later its result), e.g. just a
 * key, so that state stays small while the model runs.
 */
@PublicEvolving
@FunctionalInterface
public interface ElementProjection<IN, E> extends Serializable {
    E project(IN element) throws Exception;
}
