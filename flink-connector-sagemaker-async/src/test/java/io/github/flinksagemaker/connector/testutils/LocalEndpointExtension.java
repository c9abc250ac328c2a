package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.local.LocalCounters;
import io.github.flinksagemaker.local.LocalEndpointConfig;
import io.github.flinksagemaker.local.LocalSageMakerAsync;

import org.apache.flink.configuration.Configuration;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One {@link LocalSageMakerAsync} (SageMaker Runtime, S3 and SQS in-process) for all tests of a
 * class: started before the class's {@code @BeforeAll} methods, which may register endpoints on it,
 * and closed after its {@code @AfterAll} methods, with the SDK clients it handed out. Its counters
 * start from zero for each test, so that a test's counts are its own.
 *
 * <pre>{@code
 * @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();
 * }</pre>
 */
public final class LocalEndpointExtension
        implements BeforeAllCallback, BeforeTestExecutionCallback, AfterAllCallback {
    private volatile LocalSageMakerAsync local;
    private S3AsyncClient s3;
    private SqsAsyncClient sqs;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        local = LocalSageMakerAsync.builder().start();
    }

    /**
     * Right before the test method, after the class's own {@code @BeforeEach} (which may wait for
     * an earlier test's jobs to end): what those jobs still did is not counted as this test's.
     */
    @Override
    public void beforeTestExecution(ExtensionContext context) {
        local().counters().reset();
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws Exception {
        try (LocalSageMakerAsync started = local;
                S3AsyncClient s3Client = s3;
                SqsAsyncClient sqsClient = sqs) {
            local = null;
            s3 = null;
            sqs = null;
        }
    }

    /** The running endpoint, for registering endpoints, setting faults and reading counters. */
    public LocalSageMakerAsync local() {
        LocalSageMakerAsync started = local;
        if (started == null) {
            // A non-static field gets no beforeAll: say so instead of a NullPointerException.
            throw new IllegalStateException(
                    "The local endpoint is not running: register LocalEndpointExtension on a"
                            + " static field with @RegisterExtension, and use it within the class's"
                            + " tests");
        }
        return started;
    }

    /** The {@code aws.*} options that point the connector at the local endpoint. */
    public Configuration awsConfig() {
        return LocalAwsConfig.of(local());
    }

    public String bucket() {
        return local().bucket();
    }

    public LocalCounters counters() {
        return local().counters();
    }

    /** {@code s3://<bucket>/<endpoint>/<part>}: where an endpoint's inputs and outputs go. */
    public String prefix(String endpoint, String part) {
        return Completion.prefix(local(), endpoint, part);
    }

    /**
     * A configuration for {@code endpoint} that writes its outputs and failures under {@link
     * #prefix}{@code (endpoint, "output")} and {@code (endpoint, "failure")}.
     */
    public LocalEndpointConfig.Builder endpointConfig(String endpoint) {
        return LocalEndpointConfig.builder(endpoint)
                .s3OutputPath(prefix(endpoint, "output"))
                .s3FailurePath(prefix(endpoint, "failure"));
    }

    /** A plain SDK S3 client for checking what landed where; closed with the endpoint. */
    public synchronized S3AsyncClient s3() {
        if (s3 == null) {
            s3 = LocalAwsConfig.s3Client(local());
        }
        return s3;
    }

    /** A plain SDK SQS client for putting messages on queues; closed with the endpoint. */
    public synchronized SqsAsyncClient sqs() {
        if (sqs == null) {
            sqs = LocalAwsConfig.sqsClient(local());
        }
        return sqs;
    }

    /** Writes each text under its key in the bucket, 64 at a time, and waits for all. */
    public void putObjects(Map<String, String> textByKey) {
        List<CompletableFuture<?>> puts = new ArrayList<>();
        for (Map.Entry<String, String> object : textByKey.entrySet()) {
            puts.add(
                    s3().putObject(
                                    r -> r.bucket(bucket()).key(object.getKey()),
                                    AsyncRequestBody.fromString(object.getValue())));
            if (puts.size() == 64) {
                CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
                puts.clear();
            }
        }
        CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).join();
    }
}
