package io.github.flinksagemaker.local;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;

/** Real AWS SDK clients pointed at a {@link LocalSageMakerAsync}, as a user would build them. */
final class LocalClients {
    private LocalClients() {}

    static SageMakerRuntimeAsyncClient sageMaker(
            LocalSageMakerAsync local, RetryStrategy retryStrategy) {
        return SageMakerRuntimeAsyncClient.builder()
                .endpointOverride(local.sageMakerEndpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials(local, local.secretAccessKey()))
                .overrideConfiguration(c -> c.retryStrategy(retryStrategy))
                .build();
    }

    static SageMakerRuntimeAsyncClient sageMakerWithSecret(
            LocalSageMakerAsync local, String secret) {
        return SageMakerRuntimeAsyncClient.builder()
                .endpointOverride(local.sageMakerEndpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials(local, secret))
                .build();
    }

    static S3AsyncClient s3(LocalSageMakerAsync local) {
        return s3WithSecret(local, local.secretAccessKey());
    }

    static S3AsyncClient s3WithSecret(LocalSageMakerAsync local, String secret) {
        return S3AsyncClient.builder()
                .endpointOverride(local.s3Endpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials(local, secret))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    static SqsClient sqs(LocalSageMakerAsync local) {
        return SqsClient.builder()
                .endpointOverride(local.sqsEndpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(credentials(local, local.secretAccessKey()))
                .build();
    }

    private static StaticCredentialsProvider credentials(LocalSageMakerAsync local, String secret) {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(local.accessKeyId(), secret));
    }

    /** Polls S3 for an object at an s3:// URI until it exists or {@code timeout} passes. */
    static ResponseBytes<GetObjectResponse> awaitObject(
            S3AsyncClient s3, String location, Duration timeout) throws InterruptedException {
        URI uri = URI.create(location);
        String bucket = uri.getHost();
        String key = uri.getPath().substring(1);
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                return s3.getObject(
                                r -> r.bucket(bucket).key(key), AsyncResponseTransformer.toBytes())
                        .join();
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof NoSuchKeyException)) {
                    throw e;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("No object at " + location + " after " + timeout);
                }
                Thread.sleep(20);
            }
        }
    }

    /** Whether an object exists at an s3:// URI right now. */
    static boolean exists(S3AsyncClient s3, String location) {
        URI uri = URI.create(location);
        try {
            s3.headObject(r -> r.bucket(uri.getHost()).key(uri.getPath().substring(1))).join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof S3Exception s3e && s3e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }
}
