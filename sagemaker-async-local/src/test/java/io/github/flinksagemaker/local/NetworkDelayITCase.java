package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.EchoModel;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The network delay option holds every client request, SageMaker and S3, at least that long. */
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
}
