package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.completion.InferenceOutput;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;

/** Emits each line of a result object as a record: several records per object, in order. */
final class LinesDeserializer implements ResultObjectDeserializer<String> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(InferenceOutput object, Collector<String> out) {
        String text = new String(object.content(), StandardCharsets.UTF_8);
        if (!text.isEmpty()) {
            for (String line : text.split("\n", -1)) {
                out.collect(line);
            }
        }
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
