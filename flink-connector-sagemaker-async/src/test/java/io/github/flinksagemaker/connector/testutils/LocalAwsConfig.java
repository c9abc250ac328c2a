package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.configuration.Configuration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The {@code aws.*} options that point the connector at a {@link LocalSageMakerAsync}, exactly as a
 * user would write them, and plain SDK S3 and SQS clients for checking what landed where.
 */
public final class LocalAwsConfig {
    private LocalAwsConfig() {}

    public static Configuration of(LocalSageMakerAsync local) {
        return Configuration.fromMap(local.connectorAwsOptions());
    }

    public static S3AsyncClient s3Client(LocalSageMakerAsync local) {
        return S3AsyncClient.builder()
                .endpointOverride(local.s3Endpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        local.accessKeyId(), local.secretAccessKey())))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** A plain SDK SQS client, for putting messages on a queue and looking at its state. */
    public static SqsAsyncClient sqsClient(LocalSageMakerAsync local) {
        return SqsAsyncClient.builder()
                .endpointOverride(local.sqsEndpoint())
                .region(Region.of(local.region()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        local.accessKeyId(), local.secretAccessKey())))
                .build();
    }

    /** The bytes of the object at an s3:// URI. */
    public static byte[] read(S3AsyncClient s3, String s3Uri) {
        String rest = s3Uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        return s3.getObject(
                        r -> r.bucket(rest.substring(0, slash)).key(rest.substring(slash + 1)),
                        AsyncResponseTransformer.toBytes())
                .join()
                .asByteArray();
    }
}
