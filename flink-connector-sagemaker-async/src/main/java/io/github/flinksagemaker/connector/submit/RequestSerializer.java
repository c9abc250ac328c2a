package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.PublicEvolving;

import java.io.Serializable;

/**
 * Turns an element into the payload sent to the endpoint. An exception rejects that element (a
 * rejected record naming the error), it does not fail the job unless failure handling says FAIL.
 */
@PublicEvolving
@FunctionalInterface
public interface RequestSerializer<IN> extends Serializable {
    SerializedRequest serialize(IN element) throws Exception;
}
