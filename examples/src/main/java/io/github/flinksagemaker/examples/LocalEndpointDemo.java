package io.github.flinksagemaker.examples;

import io.github.flinksagemaker.local.LocalCounters;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;
import io.github.flinksagemaker.local.model.SentimentDemoModel;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointAsyncResponse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;

/**
 * Starts the local SageMaker async endpoint with embedded S3 and sends it two requests with the
 * real AWS SDK: a small review inline (the June 2026 way, no S3 upload) and a 200 KB review through
 * an S3 InputLocation (the only way before). It prints each step and the S3 requests each path
 * cost.
 */
public final class LocalEndpointDemo {
    private static final String ENDPOINT = "demo-sentiment";

    private LocalEndpointDemo() {}

    public static void main(String[] args) throws Exception {
        System.out.println("Starting the local SageMaker async endpoint and embedded S3...");
        try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start()) {
            local.registerEndpoint(
                    LocalEndpointConfig.builder(ENDPOINT)
                            .s3OutputPath("s3://" + local.bucket() + "/output")
                            .s3FailurePath("s3://" + local.bucket() + "/failure")
                            .model(new SentimentDemoModel())
                            .build());
            System.out.printf(
                    "  SageMaker Runtime at %s, S3 at %s, endpoint '%s'%n%n",
                    local.sageMakerEndpoint(), local.s3Endpoint(), ENDPOINT);

            StaticCredentialsProvider credentials =
                    StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(
                                    local.accessKeyId(), local.secretAccessKey()));
            try (SageMakerRuntimeAsyncClient sageMaker =
                            SageMakerRuntimeAsyncClient.builder()
                                    .endpointOverride(local.sageMakerEndpoint())
                                    .region(Region.of(local.region()))
                                    .credentialsProvider(credentials)
                                    .build();
                    S3AsyncClient s3 =
                            S3AsyncClient.builder()
                                    .endpointOverride(local.s3Endpoint())
                                    .region(Region.of(local.region()))
                                    .credentialsProvider(credentials)
                                    .forcePathStyle(true)
                                    .requestChecksumCalculation(
                                            RequestChecksumCalculation.WHEN_REQUIRED)
                                    .responseChecksumValidation(
                                            ResponseChecksumValidation.WHEN_REQUIRED)
                                    .build()) {

                String small = "{\"text\":\"Great kettle, boils fast. I love it.\"}";
                System.out.printf("1. Inline: %d bytes in the request body%n", small.length());
                local.counters().reset();
                InvokeEndpointAsyncResponse inline =
                        sageMaker
                                .invokeEndpointAsync(
                                        r ->
                                                r.endpointName(ENDPOINT)
                                                        .contentType("application/json")
                                                        .body(SdkBytes.fromUtf8String(small)))
                                .join();
                report(inline, awaitOutput(s3, inline.outputLocation()), local.counters());

                String large =
                        "{\"text\":\""
                                + "The blender is terrible and broke after a week. ".repeat(4_200)
                                + "\"}";
                String inputKey = "input/large-review.json";
                System.out.printf(
                        "%n2. S3 InputLocation: %,d bytes, over the 128,000-byte inline limit,"
                                + " uploaded first%n",
                        large.length());
                local.counters().reset();
                s3.putObject(
                                r -> r.bucket(local.bucket()).key(inputKey),
                                AsyncRequestBody.fromString(large))
                        .join();
                InvokeEndpointAsyncResponse viaS3 =
                        sageMaker
                                .invokeEndpointAsync(
                                        r ->
                                                r.endpointName(ENDPOINT)
                                                        .contentType("application/json")
                                                        .inputLocation(
                                                                "s3://"
                                                                        + local.bucket()
                                                                        + "/"
                                                                        + inputKey))
                                .join();
                report(viaS3, awaitOutput(s3, viaS3.outputLocation()), local.counters());
            }
        }
        System.out.println("\nDone. The local endpoint has stopped.");
    }

    private static void report(
            InvokeEndpointAsyncResponse response, String output, LocalCounters counters) {
        System.out.printf("   inference id   %s%n", response.inferenceId());
        System.out.printf("   output at      %s%n", response.outputLocation());
        System.out.printf("   model output   %s%n", output);
        System.out.printf(
                "   client S3 requests for this inference: %d (PUT %d, GET %d)%n",
                counters.s3RequestsTotal(),
                counters.s3Requests(LocalCounters.S3Operation.PUT),
                counters.s3Requests(LocalCounters.S3Operation.GET));
    }

    /** Polls for the output object, printing a dot while the model works. */
    private static String awaitOutput(S3AsyncClient s3, String location) throws Exception {
        URI uri = URI.create(location);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        System.out.print("   waiting for the output");
        while (true) {
            try {
                String output =
                        s3.getObject(
                                        r ->
                                                r.bucket(uri.getHost())
                                                        .key(uri.getPath().substring(1)),
                                        AsyncResponseTransformer.toBytes())
                                .join()
                                .asString(StandardCharsets.UTF_8);
                System.out.println(" done");
                return output;
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof NoSuchKeyException)
                        || Instant.now().isAfter(deadline)) {
                    throw e;
                }
                System.out.print('.');
                Thread.sleep(100);
            }
        }
    }
}
