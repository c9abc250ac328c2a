package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.S3Fault;
import io.github.flinksagemaker.local.LocalCounters.S3Operation;
import io.github.flinksagemaker.local.model.EchoModel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;

import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The faults the local endpoint injects for failure-policy tests, seen through the real SDK: S3
 * access denied under a prefix, S3 SlowDown 503s, S3 IncompleteBody 400s on uploads, an endpoint
 * without a failure path, failures placed without the path extension, and SageMaker faults for a
 * time window.
 */
class InjectedFaultsITCase {
    private static LocalSageMakerAsync local;
    private static S3AsyncClient s3;
    private static SageMakerRuntimeAsyncClient sageMaker;

    @BeforeAll
    static void start() throws Exception {
        local = LocalSageMakerAsync.builder().start();
        s3 = LocalClients.s3(local);
        sageMaker = LocalClients.sageMaker(local, AwsRetryStrategy.doNotRetry());
    }

    @AfterAll
    static void stop() throws Exception {
        sageMaker.close();
        s3.close();
        local.close();
    }

    @AfterEach
    void heal() {
        local.s3Faults().allowAll();
        local.s3Faults().slowDownFraction(0);
        local.s3Faults().incompleteBodyFraction(0);
    }

    private static Throwable cause(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the call to fail");
    }

    @Test
    void deniesTheChosenOperationsUnderAPrefixWith403AccessDenied() {
        String bucket = local.bucket();
        s3.putObject(r -> r.bucket(bucket).key("secret/a"), AsyncRequestBody.fromString("a"))
                .join();
        local.s3Faults().deny(bucket, "secret/", S3Operation.GET, S3Operation.LIST);

        Throwable get =
                cause(
                        () ->
                                s3.getObject(
                                                r -> r.bucket(bucket).key("secret/a"),
                                                AsyncResponseTransformer.toBytes())
                                        .join());
        Throwable list =
                cause(() -> s3.listObjectsV2(r -> r.bucket(bucket).prefix("secret/")).join());

        for (Throwable denied : new Throwable[] {get, list}) {
            assertThat(denied).isInstanceOf(S3Exception.class);
            assertThat(((S3Exception) denied).statusCode()).isEqualTo(403);
            assertThat(((S3Exception) denied).awsErrorDetails().errorCode())
                    .isEqualTo("AccessDenied");
        }
        s3.putObject(r -> r.bucket(bucket).key("secret/b"), AsyncRequestBody.fromString("b"))
                .join();
        s3.getObject(r -> r.bucket(bucket).key("public"), AsyncResponseTransformer.toBytes())
                .handle((ok, error) -> null)
                .join();
        assertThat(local.counters().s3Faults(S3Fault.ACCESS_DENIED)).isEqualTo(2);
    }

    @Test
    void answersAFractionOfRequestsWith503() {
        local.s3Faults().slowDownFraction(1.0);
        Throwable slowDown =
                cause(() -> s3.listObjectsV2(r -> r.bucket(local.bucket()).prefix("x/")).join());
        assertThat(slowDown).isInstanceOf(S3Exception.class);
        assertThat(((S3Exception) slowDown).statusCode()).isEqualTo(503);
        assertThat(local.counters().s3Faults(S3Fault.SLOW_DOWN)).isPositive();
    }

    @Test
    void answersUploadsWith400IncompleteBodyAndStoresNothing() {
        String bucket = local.bucket();
        String uploadId =
                s3.createMultipartUpload(r -> r.bucket(bucket).key("ib/multipart"))
                        .join()
                        .uploadId();
        long faultsBefore = local.counters().s3Faults(S3Fault.INCOMPLETE_BODY);
        local.s3Faults().incompleteBodyFraction(1.0);

        Throwable put =
                cause(
                        () ->
                                s3.putObject(
                                                r -> r.bucket(bucket).key("ib/put"),
                                                AsyncRequestBody.fromString("body"))
                                        .join());
        Throwable part =
                cause(
                        () ->
                                s3.uploadPart(
                                                r ->
                                                        r.bucket(bucket)
                                                                .key("ib/multipart")
                                                                .uploadId(uploadId)
                                                                .partNumber(1),
                                                AsyncRequestBody.fromString("part"))
                                        .join());

        for (Throwable broken : new Throwable[] {put, part}) {
            assertThat(broken).isInstanceOf(S3Exception.class);
            S3Exception error = (S3Exception) broken;
            assertThat(error.statusCode()).isEqualTo(400);
            assertThat(error.awsErrorDetails().errorCode()).isEqualTo("IncompleteBody");
            assertThat(error.awsErrorDetails().errorMessage()).contains("Content-Length");
        }
        assertThat(local.counters().s3Faults(S3Fault.INCOMPLETE_BODY) - faultsBefore).isEqualTo(2);
        assertThat(s3.listObjectsV2(r -> r.bucket(bucket).prefix("ib/")).join().contents())
                .as("reads go on, and the broken upload stored nothing")
                .isEmpty();

        local.s3Faults().incompleteBodyFraction(0);
        s3.putObject(r -> r.bucket(bucket).key("ib/put"), AsyncRequestBody.fromString("body"))
                .join();
        assertThat(local.counters().s3Faults(S3Fault.INCOMPLETE_BODY) - faultsBefore).isEqualTo(2);
    }

    @Test
    void answersTheChosenFractionOfUploadsWithIncompleteBody() {
        long faultsBefore = local.counters().s3Faults(S3Fault.INCOMPLETE_BODY);
        local.s3Faults().incompleteBodyFraction(0.5);
        int uploads = 60;
        int broken = 0;
        for (int i = 0; i < uploads; i++) {
            String key = "ib-half/" + i;
            try {
                s3.putObject(
                                r -> r.bucket(local.bucket()).key(key),
                                AsyncRequestBody.fromString("x"))
                        .join();
            } catch (CompletionException e) {
                assertThat(((S3Exception) e.getCause()).awsErrorDetails().errorCode())
                        .isEqualTo("IncompleteBody");
                broken++;
            }
        }
        // P(outside [10, 50] of 60 at p = 0.5) < 1e-7
        assertThat(broken).isBetween(10, 50);
        assertThat(local.counters().s3Faults(S3Fault.INCOMPLETE_BODY) - faultsBefore)
                .isEqualTo(broken);
    }

    @Test
    void theEndpointsOwnReadsAndWritesNeverGetIncompleteBody() throws Exception {
        local.registerEndpoint(
                LocalEndpointConfig.builder("own-writes")
                        .s3OutputPath("s3://" + local.bucket() + "/ow/output")
                        .s3FailurePath("s3://" + local.bucket() + "/ow/failure")
                        .model(new EchoModel())
                        .build());
        String input = "s3://" + local.bucket() + "/ow/input";
        s3.putObject(
                        r -> r.bucket(local.bucket()).key("ow/input"),
                        AsyncRequestBody.fromString("in"))
                .join();
        local.s3Faults().incompleteBodyFraction(1.0);

        InvokeEndpointAsyncResponse response =
                sageMaker
                        .invokeEndpointAsync(r -> r.endpointName("own-writes").inputLocation(input))
                        .join();

        assertThat(
                        LocalClients.awaitObject(
                                        s3, response.outputLocation(), Duration.ofSeconds(10))
                                .asUtf8String())
                .isEqualTo("in");
    }

    @Test
    void anEndpointWithoutAFailurePathReturnsNoFailureLocation() {
        local.registerEndpoint(
                LocalEndpointConfig.builder("no-failure-path")
                        .s3OutputPath("s3://" + local.bucket() + "/nfp/output")
                        .model(new EchoModel())
                        .build());
        InvokeEndpointAsyncResponse response =
                sageMaker
                        .invokeEndpointAsync(
                                r ->
                                        r.endpointName("no-failure-path")
                                                .body(SdkBytes.fromUtf8String("x")))
                        .join();
        assertThat(response.outputLocation()).startsWith("s3://" + local.bucket() + "/nfp/output/");
        assertThat(response.failureLocation()).isNull();
    }

    @Test
    void canPlaceFailuresWithoutThePathExtension() {
        local.registerEndpoint(
                LocalEndpointConfig.builder("flat-failures")
                        .s3OutputPath("s3://" + local.bucket() + "/ff/output")
                        .s3FailurePath("s3://" + local.bucket() + "/ff/failure")
                        .extensionAppliesToFailures(false)
                        .model(new EchoModel())
                        .build());
        InvokeEndpointAsyncResponse response =
                sageMaker
                        .invokeEndpointAsync(
                                r ->
                                        r.endpointName("flat-failures")
                                                .s3OutputPathExtension("2026/11/29")
                                                .body(SdkBytes.fromUtf8String("x")))
                        .join();
        assertThat(response.outputLocation())
                .startsWith("s3://" + local.bucket() + "/ff/output/2026/11/29/");
        assertThat(response.failureLocation())
                .matches("s3://" + local.bucket() + "/ff/failure/[^/]+-error\\.out");
    }

    @Test
    void sageMakerFaultsCanBeInjectedForATimeWindow() throws Exception {
        local.registerEndpoint(
                LocalEndpointConfig.builder("storm")
                        .s3OutputPath("s3://" + local.bucket() + "/storm/output")
                        .s3FailurePath("s3://" + local.bucket() + "/storm/failure")
                        .model(new EchoModel())
                        .build());
        local.setFaultsFor(
                "storm",
                FaultInjection.builder().throttledFraction(1.0).build(),
                Duration.ofMillis(500));

        assertThatThrownBy(
                        () ->
                                sageMaker
                                        .invokeEndpointAsync(
                                                r ->
                                                        r.endpointName("storm")
                                                                .body(SdkBytes.fromUtf8String("x")))
                                        .join())
                .hasCauseInstanceOf(
                        software.amazon.awssdk.services.sagemakerruntime.model
                                .SageMakerRuntimeException.class);
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                sageMaker
                        .invokeEndpointAsync(
                                r -> r.endpointName("storm").body(SdkBytes.fromUtf8String("x")))
                        .join();
                break;
            } catch (CompletionException stillThrottled) {
                assertThat(System.nanoTime()).as("healthy after the window").isLessThan(until);
                Thread.sleep(50);
            }
        }
    }
}
