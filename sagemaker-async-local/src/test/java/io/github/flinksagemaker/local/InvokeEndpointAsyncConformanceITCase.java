package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.Rejection;
import io.github.flinksagemaker.local.model.EchoModel;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InternalFailureException;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncRequest;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.SageMakerRuntimeException;
import software.amazon.awssdk.services.sagemakerruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.sagemakerruntime.model.ValidationErrorException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Drives the local endpoint with the real AWS SDK 2.47.6 clients over HTTP and checks it answers as
 * {@code InvokeEndpointAsync} is specified: inline limits, mutual exclusion, header constraints,
 * InputLocation, results in S3, failures, TTL and timeouts, and retryable rejections.
 */
class InvokeEndpointAsyncConformanceITCase {
    private static final Duration RESULT_WAIT = Duration.ofSeconds(20);

    private static LocalSageMakerAsync local;
    private static SageMakerRuntimeAsyncClient sageMaker;
    private static SageMakerRuntimeAsyncClient sageMakerNoRetry;
    private static S3AsyncClient s3;

    @BeforeAll
    static void start() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        local.registerEndpoint(endpoint("echo").model(new EchoModel()).build());
        local.registerEndpoint(endpoint("sentiment").model(new SentimentDemoModel()).build());
        sageMaker = LocalClients.sageMaker(local, AwsRetryStrategy.standardRetryStrategy());
        sageMakerNoRetry = LocalClients.sageMaker(local, AwsRetryStrategy.doNotRetry());
        s3 = LocalClients.s3(local);
    }

    @AfterAll
    static void stop() throws Exception {
        sageMaker.close();
        sageMakerNoRetry.close();
        s3.close();
        local.close();
    }

    private static LocalEndpointConfig.Builder endpoint(String name) {
        return LocalEndpointConfig.builder(name)
                .s3OutputPath("s3://" + local.bucket() + "/" + name + "/output")
                .s3FailurePath("s3://" + local.bucket() + "/" + name + "/failure");
    }

    private static InvokeEndpointAsyncResponse invoke(
            String endpoint, UnaryOperator<InvokeEndpointAsyncRequest.Builder> request) {
        return sageMaker
                .invokeEndpointAsync(
                        request.apply(InvokeEndpointAsyncRequest.builder().endpointName(endpoint))
                                .build())
                .join();
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 127_999, 128_000})
    void acceptsInlineBodiesUpTo128000BytesAndWritesTheModelOutput(int size) throws Exception {
        byte[] payload = randomBytes(size);
        long inlineBefore = local.counters().invocations(InvocationKind.INLINE);

        InvokeEndpointAsyncResponse response =
                invoke(
                        "echo",
                        r ->
                                r.body(SdkBytes.fromByteArray(payload))
                                        .contentType("application/x-test"));

        assertThat(response.sdkHttpResponse().statusCode()).isEqualTo(202);
        assertThat(response.inferenceId()).isNotBlank();
        assertThat(response.outputLocation())
                .startsWith("s3://" + local.bucket() + "/echo/output/");
        assertThat(response.failureLocation())
                .startsWith("s3://" + local.bucket() + "/echo/failure/");
        ResponseBytes<GetObjectResponse> output =
                LocalClients.awaitObject(s3, response.outputLocation(), RESULT_WAIT);
        assertThat(output.asByteArray()).isEqualTo(payload);
        assertThat(output.response().contentType()).isEqualTo("application/x-test");
        assertThat(LocalClients.exists(s3, response.failureLocation())).isFalse();
        assertThat(local.counters().invocations(InvocationKind.INLINE)).isEqualTo(inlineBefore + 1);
    }

    @Test
    void rejectsAnInlineBodyOf128001Bytes() {
        assertThatThrownBy(
                        () ->
                                invoke(
                                        "echo",
                                        r -> r.body(SdkBytes.fromByteArray(randomBytes(128_001)))))
                .cause()
                .isInstanceOf(ValidationErrorException.class)
                .hasMessageContaining("'body'")
                .hasMessageContaining("less than or equal to 128000");
    }

    @Test
    void rejectsBothBodyAndInputLocation() {
        assertThatThrownBy(
                        () ->
                                invoke(
                                        "echo",
                                        r ->
                                                r.body(SdkBytes.fromUtf8String("x"))
                                                        .inputLocation("s3://b/k")))
                .cause()
                .isInstanceOf(ValidationErrorException.class)
                .hasMessageContaining("mutually exclusive");
    }

    @Test
    void rejectsNeitherBodyNorInputLocation() {
        assertThatThrownBy(() -> invoke("echo", r -> r))
                .cause()
                .isInstanceOf(ValidationErrorException.class)
                .hasMessageContaining("Either Body or InputLocation");
    }

    static Stream<Arguments> invalidRequests() {
        return Stream.of(
                invalid("inferenceId", r -> r.inferenceId("x".repeat(65))),
                invalid("filename", r -> r.filename("f".repeat(33))),
                invalid("filename", r -> r.filename("two.dots.out")),
                invalid("filename", r -> r.filename("-starts-with-dash")),
                invalid("s3OutputPathExtension", r -> r.s3OutputPathExtension("s3:/bucket")),
                invalid("s3OutputPathExtension", r -> r.s3OutputPathExtension("has space")),
                invalid("s3OutputPathExtension", r -> r.s3OutputPathExtension("x".repeat(513))),
                invalid("requestTTLSeconds", r -> r.requestTTLSeconds(59)),
                invalid("requestTTLSeconds", r -> r.requestTTLSeconds(21_601)),
                invalid("invocationTimeoutSeconds", r -> r.invocationTimeoutSeconds(0)),
                invalid("invocationTimeoutSeconds", r -> r.invocationTimeoutSeconds(3_601)),
                invalid("contentType", r -> r.contentType("c".repeat(1025))),
                invalid("accept", r -> r.accept("a".repeat(1025))),
                invalid("customAttributes", r -> r.customAttributes("c".repeat(1025))));
    }

    private static Arguments invalid(
            String member, UnaryOperator<InvokeEndpointAsyncRequest.Builder> request) {
        return Arguments.of(member, request);
    }

    @ParameterizedTest(name = "{0} #{index}")
    @MethodSource("invalidRequests")
    void rejectsEachInvalidHeaderNamingTheMember(
            String member, UnaryOperator<InvokeEndpointAsyncRequest.Builder> request) {
        long before = local.counters().rejections(Rejection.VALIDATION);
        assertThatThrownBy(
                        () ->
                                invoke(
                                        "echo",
                                        r -> request.apply(r.body(SdkBytes.fromUtf8String("x")))))
                .cause()
                .isInstanceOf(ValidationErrorException.class)
                .hasMessageContaining("at '" + member + "'");
        assertThat(local.counters().rejections(Rejection.VALIDATION)).isEqualTo(before + 1);
    }

    @Test
    void rejectsAnInputLocationThatIsNotS3OrHttps() {
        assertThatThrownBy(() -> invoke("echo", r -> r.inputLocation("ftp://bucket/key")))
                .cause()
                .isInstanceOf(ValidationErrorException.class)
                .hasMessageContaining("at 'inputLocation'");
    }

    @Test
    void rejectsAnUnknownEndpoint() {
        assertThatThrownBy(
                        () -> invoke("no-such-endpoint", r -> r.body(SdkBytes.fromUtf8String("x"))))
                .cause()
                .isInstanceOf(ValidationErrorException.class)
                .hasMessageContaining("Endpoint no-such-endpoint of account");
    }

    @Test
    void readsThePayloadFromAnInputLocation() throws Exception {
        byte[] payload = randomBytes(300_000);
        s3.putObject(
                        r -> r.bucket(local.bucket()).key("inputs/large.bin"),
                        AsyncRequestBody.fromBytes(payload))
                .join();
        long inputsBefore = local.counters().inputsRead();

        InvokeEndpointAsyncResponse response =
                invoke(
                        "echo",
                        r -> r.inputLocation("s3://" + local.bucket() + "/inputs/large.bin"));

        assertThat(
                        LocalClients.awaitObject(s3, response.outputLocation(), RESULT_WAIT)
                                .asByteArray())
                .isEqualTo(payload);
        assertThat(local.counters().inputsRead()).isEqualTo(inputsBefore + 1);
        assertThat(local.counters().invocations(InvocationKind.INPUT_LOCATION)).isPositive();
    }

    @Test
    void aMissingInputObjectProducesAFailureObject() throws Exception {
        InvokeEndpointAsyncResponse response =
                invoke("echo", r -> r.inputLocation("s3://" + local.bucket() + "/inputs/missing"));

        String failure =
                LocalClients.awaitObject(s3, response.failureLocation(), RESULT_WAIT)
                        .asUtf8String();
        assertThat(failure).contains("Could not read the input").contains("inputs/missing");
        assertThat(LocalClients.exists(s3, response.outputLocation())).isFalse();
    }

    @Test
    void aModelErrorProducesAFailureObjectAtTheReturnedLocation() throws Exception {
        InvokeEndpointAsyncResponse response =
                invoke("sentiment", r -> r.body(SdkBytes.fromUtf8String("not json")));

        String failure =
                LocalClients.awaitObject(s3, response.failureLocation(), RESULT_WAIT)
                        .asUtf8String();
        assertThat(failure).contains("could not parse the payload as JSON");
        assertThat(LocalClients.exists(s3, response.outputLocation())).isFalse();
    }

    @Test
    void theDemoModelIsDeterministic() throws Exception {
        String text = "Great blender, I love it, but the lid is cheap";
        InvokeEndpointAsyncResponse response =
                invoke(
                        "sentiment",
                        r ->
                                r.body(SdkBytes.fromUtf8String("{\"text\":\"" + text + "\"}"))
                                        .contentType("application/json"));

        ResponseBytes<GetObjectResponse> output =
                LocalClients.awaitObject(s3, response.outputLocation(), RESULT_WAIT);
        assertThat(output.asByteArray()).isEqualTo(SentimentDemoModel.score(text));
        assertThat(output.asUtf8String()).contains("\"label\":\"POSITIVE\"");
        assertThat(output.response().contentType()).isEqualTo("application/json");
    }

    @Test
    void aRequestWaitingInTheQueuePastItsTtlProducesAFailureObject() throws Exception {
        // Scale 0.001: the minimum TTL of 60 s becomes 60 ms, the 900 s default timeout 900 ms.
        local.registerEndpoint(
                endpoint("ttl")
                        .model(new EchoModel())
                        .maxConcurrentInvocations(1)
                        .serviceTimeScale(0.001)
                        .faults(FaultInjection.builder().latency(Duration.ofMillis(300)).build())
                        .build());
        InvokeEndpointAsyncResponse first =
                invoke("ttl", r -> r.body(SdkBytes.fromUtf8String("first")).requestTTLSeconds(60));
        InvokeEndpointAsyncResponse second =
                invoke("ttl", r -> r.body(SdkBytes.fromUtf8String("second")).requestTTLSeconds(60));

        assertThat(LocalClients.awaitObject(s3, first.outputLocation(), RESULT_WAIT).asUtf8String())
                .isEqualTo("first");
        assertThat(
                        LocalClients.awaitObject(s3, second.failureLocation(), RESULT_WAIT)
                                .asUtf8String())
                .contains("Request expired")
                .contains("RequestTTLSeconds=60");
        assertThat(LocalClients.exists(s3, second.outputLocation())).isFalse();
    }

    @Test
    void aModelSlowerThanTheInvocationTimeoutProducesAFailureObject() throws Exception {
        local.registerEndpoint(
                endpoint("slow")
                        .model(new EchoModel())
                        .serviceTimeScale(0.01)
                        .faults(FaultInjection.builder().latency(Duration.ofMillis(500)).build())
                        .build());
        InvokeEndpointAsyncResponse response =
                invoke(
                        "slow",
                        r -> r.body(SdkBytes.fromUtf8String("x")).invocationTimeoutSeconds(2));

        assertThat(
                        LocalClients.awaitObject(s3, response.failureLocation(), RESULT_WAIT)
                                .asUtf8String())
                .contains("timed out")
                .contains("InvocationTimeoutSeconds=2");
        assertThat(LocalClients.exists(s3, response.outputLocation())).isFalse();
    }

    @Test
    void honoursFilenameAndS3OutputPathExtension() throws Exception {
        InvokeEndpointAsyncResponse response =
                invoke(
                        "echo",
                        r ->
                                r.body(SdkBytes.fromUtf8String("named"))
                                        .inferenceId("id-with-name")
                                        .s3OutputPathExtension("2026/11/25")
                                        .filename("result-1.json"));

        assertThat(response.inferenceId()).isEqualTo("id-with-name");
        assertThat(response.outputLocation())
                .isEqualTo("s3://" + local.bucket() + "/echo/output/2026/11/25/result-1.json");
        assertThat(response.failureLocation())
                .startsWith("s3://" + local.bucket() + "/echo/failure/2026/11/25/");
        assertThat(
                        LocalClients.awaitObject(s3, response.outputLocation(), RESULT_WAIT)
                                .asUtf8String())
                .isEqualTo("named");
    }

    @Test
    void defaultNamesDoNotContainTheInferenceIdUnlessAsked() {
        InvokeEndpointAsyncResponse random =
                invoke("echo", r -> r.body(SdkBytes.fromUtf8String("x")).inferenceId("my-id-1"));
        assertThat(random.outputLocation()).doesNotContain("my-id-1").endsWith(".out");
        assertThat(random.failureLocation()).doesNotContain("my-id-1").endsWith("-error.out");

        local.registerEndpoint(
                endpoint("named-by-id")
                        .model(new EchoModel())
                        .outputNaming(OutputNaming.INFERENCE_ID)
                        .build());
        InvokeEndpointAsyncResponse byId =
                invoke(
                        "named-by-id",
                        r -> r.body(SdkBytes.fromUtf8String("x")).inferenceId("my-id-2"));
        assertThat(byId.outputLocation())
                .isEqualTo("s3://" + local.bucket() + "/named-by-id/output/my-id-2.out");
        assertThat(byId.failureLocation())
                .isEqualTo("s3://" + local.bucket() + "/named-by-id/failure/my-id-2-error.out");
    }

    @Test
    void generatesAnInferenceIdWhenNoneIsGiven() {
        InvokeEndpointAsyncResponse a = invoke("echo", r -> r.body(SdkBytes.fromUtf8String("a")));
        InvokeEndpointAsyncResponse b = invoke("echo", r -> r.body(SdkBytes.fromUtf8String("b")));
        assertThat(a.inferenceId()).isNotBlank().isNotEqualTo(b.inferenceId());
    }

    @Test
    void injectedRejectionsSurfaceAsTheSdksRetryableExceptions() {
        local.registerEndpoint(endpoint("faulty").model(new EchoModel()).build());
        InvokeEndpointAsyncRequest request =
                InvokeEndpointAsyncRequest.builder()
                        .endpointName("faulty")
                        .body(SdkBytes.fromUtf8String("x"))
                        .build();

        local.setFaults("faulty", FaultInjection.builder().throttledFraction(1.0).build());
        assertThatThrownBy(() -> sageMakerNoRetry.invokeEndpointAsync(request).join())
                .cause()
                .isInstanceOfSatisfying(
                        SageMakerRuntimeException.class,
                        e -> {
                            assertThat(e.statusCode()).isEqualTo(429);
                            assertThat(e.isThrottlingException()).isTrue();
                            assertThat(e.awsErrorDetails().errorCode())
                                    .isEqualTo("ThrottlingException");
                        });

        local.setFaults("faulty", FaultInjection.builder().serviceUnavailableFraction(1.0).build());
        assertThatThrownBy(() -> sageMakerNoRetry.invokeEndpointAsync(request).join())
                .cause()
                .isInstanceOf(ServiceUnavailableException.class);

        local.setFaults("faulty", FaultInjection.builder().internalFailureFraction(1.0).build());
        assertThatThrownBy(() -> sageMakerNoRetry.invokeEndpointAsync(request).join())
                .cause()
                .isInstanceOf(InternalFailureException.class);

        // The SDK's standard strategy retries all three: 3 attempts, then gives up.
        local.setFaults("faulty", FaultInjection.builder().throttledFraction(1.0).build());
        long throttledBefore = local.counters().rejections(Rejection.THROTTLED);
        assertThatThrownBy(() -> sageMaker.invokeEndpointAsync(request).join())
                .isInstanceOf(CompletionException.class);
        assertThat(local.counters().rejections(Rejection.THROTTLED) - throttledBefore).isEqualTo(3);

        local.setFaults("faulty", FaultInjection.NONE);
        assertThat(sageMaker.invokeEndpointAsync(request).join().inferenceId()).isNotBlank();
    }

    @Test
    void rejectsAWrongSignature() {
        long before = local.counters().rejections(Rejection.UNAUTHORIZED);
        try (SageMakerRuntimeAsyncClient wrongSecret =
                LocalClients.sageMakerWithSecret(local, "not-the-secret")) {
            assertThatThrownBy(
                            () ->
                                    wrongSecret
                                            .invokeEndpointAsync(
                                                    r ->
                                                            r.endpointName("echo")
                                                                    .body(
                                                                            SdkBytes.fromUtf8String(
                                                                                    "x")))
                                            .join())
                    .cause()
                    .isInstanceOfSatisfying(
                            SageMakerRuntimeException.class,
                            e -> {
                                assertThat(e.statusCode()).isEqualTo(403);
                                assertThat(e.awsErrorDetails().errorCode())
                                        .isEqualTo("InvalidSignatureException");
                            });
        }
        assertThat(local.counters().rejections(Rejection.UNAUTHORIZED)).isEqualTo(before + 1);
    }

    @Test
    void unicodeContentIsStoredByteForByte() throws Exception {
        byte[] payload = "{\"text\":\"très bien, 很好 👍\"}".getBytes(StandardCharsets.UTF_8);
        InvokeEndpointAsyncResponse response =
                invoke("echo", r -> r.body(SdkBytes.fromByteArray(payload)));
        assertThat(
                        LocalClients.awaitObject(s3, response.outputLocation(), RESULT_WAIT)
                                .asByteArray())
                .isEqualTo(payload);
    }
}
