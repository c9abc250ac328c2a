package io.github.flinksagemaker.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Constraints that the AWS SDK itself would not let onto the wire, checked on the parser. */
class InvocationParserTest {

    private static Function<String, List<String>> headers(Map<String, String> values) {
        return name ->
                values.entrySet().stream()
                        .filter(e -> e.getKey().equalsIgnoreCase(name))
                        .map(Map.Entry::getValue)
                        .toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {" leading-space", "tab\tinside", "new\nline", "ünïcode"})
    void rejectsInferenceIdsOutsideThePattern(String inferenceId) {
        assertThatThrownBy(
                        () ->
                                InvocationParser.parse(
                                        "e",
                                        headers(Map.of(InvocationParser.INFERENCE_ID, inferenceId)),
                                        new byte[] {1}))
                .isInstanceOf(ServiceException.class)
                .hasMessageContaining("at 'inferenceId'")
                .satisfies(e -> assertThat(((ServiceException) e).status()).isEqualTo(400));
    }

    @Test
    void acceptsPrintableInferenceIdsWithInnerSpaces() throws Exception {
        AsyncInvocation invocation =
                InvocationParser.parse(
                        "e",
                        headers(Map.of(InvocationParser.INFERENCE_ID, "order 42/line 7")),
                        new byte[] {1});
        assertThat(invocation.inferenceId()).isEqualTo("order 42/line 7");
    }

    @Test
    void appliesTheServiceDefaultsForTtlAndTimeout() throws Exception {
        AsyncInvocation invocation = InvocationParser.parse("e", headers(Map.of()), new byte[] {1});
        assertThat(invocation.requestTtlSeconds()).isEqualTo(21_600);
        assertThat(invocation.invocationTimeoutSeconds()).isEqualTo(900);
    }

    @Test
    void neverEchoesSensitiveValuesInMessages() {
        String secret = "token=" + "s".repeat(1100);
        assertThatThrownBy(
                        () ->
                                InvocationParser.parse(
                                        "e",
                                        headers(Map.of(InvocationParser.CUSTOM_ATTRIBUTES, secret)),
                                        new byte[] {1}))
                .hasMessageContaining("at 'customAttributes'")
                .hasMessageNotContaining("token=");
    }

    @Test
    void rejectsEndpointNamesOutsideThePattern() {
        assertThatThrownBy(() -> InvocationParser.validateEndpointName("-bad"))
                .hasMessageContaining("at 'endpointName'");
        assertThatThrownBy(() -> InvocationParser.validateEndpointName("a".repeat(64)))
                .hasMessageContaining("at 'endpointName'");
    }
}
