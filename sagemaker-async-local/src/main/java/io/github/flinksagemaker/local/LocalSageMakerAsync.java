package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.s3.CountingBlobStore;
import io.github.flinksagemaker.local.s3.InjectedErrorResponses;
import io.github.flinksagemaker.local.s3.S3Faults;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A local stand-in for SageMaker AI Asynchronous Inference: an in-process S3 (s3proxy) and a
 * SageMaker Runtime HTTP server on loopback, both checking SigV4 signatures, and endpoints that
 * queue invocations and write their results to that S3; with an embedded SQS (ElasticMQ) that
 * receives the endpoints' completion notifications, as an SQS queue subscribed to the SNS topics of
 * an {@code AsyncInferenceConfig} would (see {@link LocalNotifications}). Start it in a test or a
 * demo, point the real AWS SDK clients at {@link #sageMakerEndpoint()}, {@link #s3Endpoint()} and
 * {@link #sqsEndpoint()} with {@link #accessKeyId()} / {@link #secretAccessKey()}, and close it
 * when done.
 *
 * <pre>{@code
 * try (LocalSageMakerAsync local = LocalSageMakerAsync.builder().start()) {
 *     local.registerEndpoint(LocalEndpointConfig.builder("my-endpoint")
 *             .s3OutputPath("s3://" + local.bucket() + "/output")
 *             .s3FailurePath("s3://" + local.bucket() + "/failure")
 *             .model(new EchoModel())
 *             .build());
 *     ...
 * }
 * }</pre>
 *
 * <p>S3 clients need path-style access, and with AWS SDK 2.47 {@code WHEN_REQUIRED} checksum
 * calculation and validation: s3proxy does not accept {@code aws-chunked} uploads.
 */
public final class LocalSageMakerAsync implements AutoCloseable {
    private final String region;
    private final String accessKeyId;
    private final String secretAccessKey;
    private final String bucket;
    private final LocalCounters counters = new LocalCounters();
    private final S3Faults s3Faults = new S3Faults(counters::countS3Fault);
    private final NetworkDelay networkDelay = new NetworkDelay();
    private final NetworkDelay sageMakerDelay = new NetworkDelay();
    private final Map<String, EndpointRuntime> endpoints = new ConcurrentHashMap<>();
    private final BlobStoreContext blobStoreContext;
    private final BlobStore blobStore;
    private final S3Proxy s3Proxy;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final SageMakerRuntimeServer sageMakerServer;
    private final LocalSqs sqs;
    private final NotificationPublisher notifications;

    private LocalSageMakerAsync(Builder builder) throws Exception {
        this.region = builder.region;
        this.accessKeyId = builder.accessKeyId;
        this.secretAccessKey = builder.secretAccessKey;
        this.bucket = builder.bucket;
        networkDelay.set(builder.networkDelay);
        this.blobStoreContext = blobStoreContext(builder.dataDir, accessKeyId, secretAccessKey);
        this.blobStore = blobStoreContext.getBlobStore();
        this.scheduler =
                Executors.newSingleThreadScheduledExecutor(
                        LocalThreads.daemon("local-async-timer"));
        this.workers = Executors.newCachedThreadPool(LocalThreads.daemon("local-async-model"));
        // ElasticMQ's first start in a JVM takes seconds (Pekko); it overlaps with S3's.
        FutureTask<LocalSqs> sqsStart =
                new FutureTask<>(
                        () -> new LocalSqs(builder.sqsPort, region, counters, networkDelay));
        LocalThreads.daemon("local-sqs-start").newThread(sqsStart).start();
        S3Proxy proxy = null;
        SageMakerRuntimeServer server = null;
        LocalSqs localSqs = null;
        try {
            proxy =
                    S3Proxy.builder()
                            .blobStore(
                                    new CountingBlobStore(
                                            blobStore,
                                            operation -> {
                                                counters.countS3Request(operation);
                                                networkDelay.pause();
                                            },
                                            s3Faults))
                            .endpoint(URI.create("http://127.0.0.1:" + builder.s3Port))
                            .awsAuthentication(
                                    AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey)
                            .build();
            InjectedErrorResponses.install(proxy);
            proxy.start();
            server =
                    new SageMakerRuntimeServer(
                            builder.sageMakerPort,
                            region,
                            accessKeyId,
                            secretAccessKey,
                            endpoints,
                            counters,
                            networkDelay,
                            sageMakerDelay);
            localSqs = started(sqsStart);
        } catch (Exception e) {
            if (localSqs == null) {
                closeWhenStarted(sqsStart);
            }
            if (server != null) {
                server.close();
            }
            if (proxy != null) {
                proxy.stop();
            }
            scheduler.shutdownNow();
            workers.shutdownNow();
            blobStoreContext.close();
            throw e;
        }
        this.s3Proxy = proxy;
        this.sageMakerServer = server;
        this.sqs = localSqs;
        this.notifications = new NotificationPublisher(region, sqs, counters, scheduler);
        createBucket(bucket);
    }

    private static LocalSqs started(FutureTask<LocalSqs> start) throws Exception {
        try {
            return start.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void closeWhenStarted(FutureTask<LocalSqs> start) {
        try {
            start.get().close();
        } catch (Exception e) {
            // It did not start, or could not stop: nothing more to release.
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The SageMaker Runtime endpoint override, e.g. {@code http://127.0.0.1:41234}. */
    public URI sageMakerEndpoint() {
        return URI.create("http://127.0.0.1:" + sageMakerServer.port());
    }

    /** The S3 endpoint override (path-style), e.g. {@code http://127.0.0.1:41235}. */
    public URI s3Endpoint() {
        return URI.create("http://127.0.0.1:" + s3Proxy.getPort());
    }

    /**
     * The SQS endpoint override, e.g. {@code http://127.0.0.1:41236}. Requests to it are counted by
     * action in {@link LocalCounters#sqsRequests}; queue URLs point at it too.
     */
    public URI sqsEndpoint() {
        return sqs.endpoint();
    }

    /**
     * ElasticMQ itself, bypassing the counting front: requests to it are not counted. For measuring
     * what the front adds (the benchmarks); clients of the connector use {@link #sqsEndpoint()}.
     */
    public URI sqsBackendEndpoint() {
        return sqs.backend();
    }

    /**
     * Creates a standard queue if it does not exist yet and returns its URL; calling it again with
     * the same name returns the same URL.
     */
    public String createQueue(String name) {
        return sqs.createQueue(Objects.requireNonNull(name, "name"));
    }

    public String region() {
        return region;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String secretAccessKey() {
        return secretAccessKey;
    }

    /** The bucket created at start, for inputs and results. */
    public String bucket() {
        return bucket;
    }

    /** Changes the delay added to every client request; see {@link Builder#networkDelay}. */
    public void setNetworkDelay(Duration delay) {
        networkDelay.set(delay);
    }

    /**
     * Adds this delay to every SageMaker Runtime request only, on top of the network delay: slow
     * calls to the endpoint while S3 and SQS answer at once. Zero (the default) adds nothing.
     */
    public void setSageMakerNetworkDelay(Duration delay) {
        sageMakerDelay.set(delay);
    }

    /**
     * The Flink connector's {@code aws.*} options that point at this endpoint and its S3, exactly
     * as a user would write them: region, endpoints, path-style access, the checksum mode s3proxy
     * accepts, and these credentials.
     */
    public Map<String, String> connectorAwsOptions() {
        Map<String, String> options = new java.util.TreeMap<>();
        options.put("aws.region", region);
        options.put("aws.endpoint", sageMakerEndpoint().toString());
        options.put("aws.s3.endpoint", s3Endpoint().toString());
        options.put("aws.sqs.endpoint", sqsEndpoint().toString());
        options.put("aws.s3.path-style-access", "true");
        options.put("aws.s3.checksum-mode", "WHEN_REQUIRED");
        options.put("aws.credentials.provider", "BASIC");
        options.put("aws.credentials.provider.basic.accesskeyid", accessKeyId);
        options.put("aws.credentials.provider.basic.secretkey", secretAccessKey);
        return options;
    }

    public LocalCounters counters() {
        return counters;
    }

    /** Creates a bucket if it does not exist yet. */
    public void createBucket(String name) {
        blobStore.createContainerInLocation(null, name);
    }

    /** Deletes a bucket and everything in it, e.g. to see what a job does without it. */
    public void deleteBucket(String name) {
        blobStore.deleteContainer(name);
    }

    /**
     * The faults the local S3 injects into client requests (access denied under a prefix, SlowDown
     * 503s, IncompleteBody 400s on uploads); changeable while running.
     */
    public S3Faults s3Faults() {
        return s3Faults;
    }

    /**
     * Registers (or replaces) an endpoint; the buckets of its output and failure paths and the
     * queues of its notifications are created if missing.
     */
    public void registerEndpoint(LocalEndpointConfig config) {
        createBucket(config.s3OutputPath().bucket());
        if (config.s3FailurePath() != null) {
            createBucket(config.s3FailurePath().bucket());
        }
        createQueues(config.notifications());
        endpoints.compute(
                config.name(),
                (name, existing) -> {
                    if (existing != null) {
                        existing.updateConfig(config);
                        return existing;
                    }
                    return new EndpointRuntime(
                            config, blobStore, counters, scheduler, workers, notifications);
                });
    }

    /** Changes the faults of a registered endpoint; calls already accepted keep theirs. */
    public void setFaults(String endpointName, FaultInjection faults) {
        Objects.requireNonNull(faults, "faults");
        endpoint(endpointName).updateConfig(endpoint(endpointName).config().withFaults(faults));
    }

    /**
     * Changes the delivery faults of a registered endpoint's notifications (see {@link
     * LocalNotifications.Builder}); its queues and delivery mode stay. Results written from now on
     * are notified with these faults.
     */
    public void setNotificationFaults(
            String endpointName,
            double duplicateFraction,
            double dropFraction,
            Duration minDelay,
            Duration maxDelay) {
        EndpointRuntime endpoint = endpoint(endpointName);
        LocalEndpointConfig config = endpoint.config();
        endpoint.updateConfig(
                config.withNotifications(
                        config.notifications().toBuilder()
                                .duplicateFraction(duplicateFraction)
                                .dropFraction(dropFraction)
                                .delay(minDelay, maxDelay)
                                .build()));
    }

    private void createQueues(LocalNotifications notifications) {
        if (notifications.successQueue() != null) {
            createQueue(notifications.successQueue());
        }
        if (notifications.errorQueue() != null) {
            createQueue(notifications.errorQueue());
        }
    }

    /**
     * Injects {@code faults} into a registered endpoint for {@code window}, then restores the
     * faults it had, e.g. a throttling storm of 40 seconds.
     */
    public void setFaultsFor(String endpointName, FaultInjection faults, Duration window) {
        FaultInjection before = endpoint(endpointName).config().faults();
        setFaults(endpointName, faults);
        scheduler.schedule(
                () -> setFaults(endpointName, before),
                window.toNanos(),
                java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** Invocations of this endpoint accepted but whose result is not yet written. */
    public int pendingInvocations(String endpointName) {
        return endpoint(endpointName).pending();
    }

    private EndpointRuntime endpoint(String endpointName) {
        EndpointRuntime endpoint = endpoints.get(endpointName);
        if (endpoint == null) {
            throw new IllegalArgumentException(
                    "No endpoint '"
                            + endpointName
                            + "' is registered; known: "
                            + endpoints.keySet());
        }
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        sageMakerServer.close();
        try {
            s3Proxy.stop();
        } finally {
            // Pending notifications die with the scheduler, before the queues they would go to.
            scheduler.shutdownNow();
            workers.shutdownNow();
            try {
                sqs.close();
            } finally {
                blobStoreContext.close();
            }
        }
    }

    private static BlobStoreContext blobStoreContext(
            Path dataDir, String identity, String credential) throws IOException {
        if (dataDir == null) {
            return ContextBuilder.newBuilder("transient")
                    .credentials(identity, credential)
                    .build(BlobStoreContext.class);
        }
        Files.createDirectories(dataDir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dataDir.toAbsolutePath().toString());
        return ContextBuilder.newBuilder("filesystem")
                .credentials(identity, credential)
                .overrides(properties)
                .build(BlobStoreContext.class);
    }

    /** Configures and starts a {@link LocalSageMakerAsync}. */
    public static final class Builder {
        private String region = "us-east-1";
        private String accessKeyId = "local-access-key";
        private String secretAccessKey = "local-secret-key";
        private String bucket = "sagemaker-async-local";
        private int sageMakerPort;
        private int s3Port;
        private int sqsPort;
        private Path dataDir;
        private Duration networkDelay = Duration.ZERO;

        private Builder() {}

        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        public Builder credentials(String accessKeyId, String secretAccessKey) {
            this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
            this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            return this;
        }

        public Builder bucket(String bucket) {
            this.bucket = Objects.requireNonNull(bucket, "bucket");
            return this;
        }

        /** The SageMaker Runtime port; 0 (the default) picks a free one. */
        public Builder sageMakerPort(int port) {
            this.sageMakerPort = checkPort("sageMakerPort", port);
            return this;
        }

        /** The S3 port; 0 (the default) picks a free one. */
        public Builder s3Port(int port) {
            this.s3Port = checkPort("s3Port", port);
            return this;
        }

        /** The SQS port; 0 (the default) picks a free one. */
        public Builder sqsPort(int port) {
            this.sqsPort = checkPort("sqsPort", port);
            return this;
        }

        /** Keeps S3 data as files under this directory instead of in memory. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * Adds this delay to every client request, SageMaker, S3 and SQS, before it is served, like
         * a longer network round trip (the endpoint's own S3 reads and writes and notifications are
         * not delayed).
         */
        public Builder networkDelay(Duration delay) {
            this.networkDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        public LocalSageMakerAsync start() throws Exception {
            return new LocalSageMakerAsync(this);
        }

        private static int checkPort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + " must be in [0, 65535], got " + port);
            }
            return port;
        }
    }
}
