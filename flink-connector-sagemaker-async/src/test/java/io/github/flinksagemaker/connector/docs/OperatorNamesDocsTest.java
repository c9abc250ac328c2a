package io.github.flinksagemaker.connector.docs;

import io.github.flinksagemaker.connector.SageMakerAsyncInference;
import io.github.flinksagemaker.connector.submit.SerializedRequest;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator names docs/deploy-managed-flink.md gives for CloudWatch are the ones the one-call
 * API builds, in both completion modes, and it names them all.
 */
class OperatorNamesDocsTest {
    private static final String ENDPOINT = "reviews-sentiment";

    @Test
    void theManagedFlinkGuideNamesEveryOperatorOfTheOneCallApi() throws IOException {
        Set<String> built = new TreeSet<>();
        built.addAll(operatorNames(false));
        built.addAll(operatorNames(true));

        String doc = Files.readString(Path.of("..", "docs", "deploy-managed-flink.md"));
        Set<String> documented = new TreeSet<>();
        Matcher name = Pattern.compile("`([^`]+: <endpoint>)`").matcher(doc);
        while (name.find()) {
            documented.add(name.group(1));
        }

        assertThat(built).as("operators of the one-call API").hasSizeGreaterThan(7);
        assertThat(documented).isEqualTo(built);
    }

    /**
     * The names of the operators the one-call API adds, with the endpoint as {@code <endpoint>}.
     */
    private static Set<String> operatorNames(boolean sqs) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SageMakerAsyncInference.Builder<String, String> builder =
                SageMakerAsyncInference.<String>builder()
                        .endpointName(ENDPOINT)
                        .region("eu-west-1")
                        .outputPath("s3://bucket/async/output")
                        .failurePath("s3://bucket/async/failure")
                        .serializer(s -> SerializedRequest.of(s.getBytes(StandardCharsets.UTF_8)))
                        .inferenceIdExtractor(s -> s);
        if (sqs) {
            builder.sqsCompletion("https://sqs.eu-west-1.amazonaws.com/123456789012/results");
        }
        builder.build().apply(env.fromData("a", "b")).sinkTo(new DiscardingSink<>());

        Set<String> names = new TreeSet<>();
        for (StreamNode node : env.getStreamGraph().getStreamNodes()) {
            String operator = node.getOperatorName().replaceFirst("^Source: ", "");
            if (operator.endsWith(": " + ENDPOINT)) {
                names.add(operator.replace(ENDPOINT, "<endpoint>"));
            }
        }
        return names;
    }
}
