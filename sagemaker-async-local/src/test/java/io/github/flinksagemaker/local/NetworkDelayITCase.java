package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.EchoModel;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The network delay option holds every client request, SageMaker and S3, at least that long; the
 * SageMaker network delay holds SageMaker Runtime requests only.
 */
class NetworkDelayITCase {

    @Test
    void everyClientRequestWaitsAtLeastTheDelay() throws Exception {
        try (LocalSageMakerAsync local =
                        LocalSageMakerAsync.builder().networkDelay(Duration.ofMillis(150)).start();
                SageMakerRuntimeAsyncClient sageMaker =
                        LocalClients.sageMakerWithSecret(local, local.secretAccessKey());
                S3AsyncClient s3 = LocalClients.s3(local)) {
            local.registerEndpoint(
                    LocalEndpointConfig.builder("delayed")
                            .s3OutputPath("s3://" + local.bucket() + "/d/output")
                            .s3FailurePath("s3://" + local.bucket() + "/d/failure")
                            .model(new EchoModel())
                            .build());

            long start = System.nanoTime();
            sageMaker
                    .invokeEndpointAsync(
                            r -> r.endpointName("delayed").body(SdkBytes.fromUtf8String("x")))
                    .join();
            long invokeMillis = (System.nanoTime() - start) / 1_000_000;

            start = System.nanoTime();
            s3.putObject(
                            r -> r.bucket(local.bucket()).key("d/in"),
                            AsyncRequestBody.fromString("x"))
                    .join();
            long putMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(invokeMillis).isGreaterThanOrEqualTo(150);
            assertThat(putMillis).isGreaterThanOrEqualTo(150);
            assertThat(local.counters().s3Requests(LocalCounters.S3Operation.PUT)).isEqualTo(1);
        }
    }

    @Test
    void theSageMakerDelayHoldsSageMakerRequestsOnly() throws Exception {
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start();
                SageMakerRuntimeAsyncClient sageMaker =
                        LocalClients.sageMakerWithSecret(local, local.secretAccessKey());
                S3AsyncClient s3 = LocalClients.s3(local)) {
            local.registerEndpoint(
                    LocalEndpointConfig.builder("slow-calls")
                            .s3OutputPath("s3://" + local.bucket() + "/s/output")
                            .s3FailurePath("s3://" + local.bucket() + "/s/failure")
                            .model(new EchoModel())
                            .build());
            // A first request warms the client up, so that the timed one shows the delay only.
            s3.putObject(
                            r -> r.bucket(local.bucket()).key("s/warm-up"),
                            AsyncRequestBody.fromString("x"))
                    .join();
            local.setSageMakerNetworkDelay(Duration.ofSeconds(1));

            long start = System.nanoTime();
            sageMaker
                    .invokeEndpointAsync(
                            r -> r.endpointName("slow-calls").body(SdkBytes.fromUtf8String("x")))
                    .join();
            long invokeMillis = (System.nanoTime() - start) / 1_000_000;

            start = System.nanoTime();
            s3.putObject(
                            r -> r.bucket(local.bucket()).key("s/in"),
                            AsyncRequestBody.fromString("x"))
                    .join();
            long putMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(invokeMillis).isGreaterThanOrEqualTo(1_000);
            assertThat(putMillis).isLessThan(1_000);
        }
    }
}
