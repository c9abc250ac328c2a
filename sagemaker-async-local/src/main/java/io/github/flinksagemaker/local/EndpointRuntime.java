package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.LocalCounters.InvocationKind;
import io.github.flinksagemaker.local.LocalCounters.Rejection;
import io.github.flinksagemaker.local.model.ModelRequest;
import io.github.flinksagemaker.local.model.ModelResponse;
import io.github.flinksagemaker.local.s3.S3Uri;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One endpoint's async machinery: rejects calls as the fault injection says, queues accepted
 * invocations, runs at most {@code maxConcurrentInvocations} of them at once, and writes each
 * result to S3 as an output object or a failure object.
 */
final class EndpointRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointRuntime.class);

    /**
     * Where a result of an accepted invocation will be written; the failure location is returned to
     * the caller only when the endpoint has a failure path.
     */
    record Accepted(
            String inferenceId,
            S3Uri outputLocation,
            S3Uri failureLocation,
            boolean failureLocationReturned) {}

    private record Queued(
            AsyncInvocation invocation,
            Accepted accepted,
            long acceptedAtNanos,
            Instant receivedAt) {}

    private volatile LocalEndpointConfig config;
    private final BlobStore blobStore;
    private final LocalCounters counters;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private final NotificationPublisher notifications;

    private final Deque<Queued> queue = new ArrayDeque<>();
    private int inProgress;

    EndpointRuntime(
            LocalEndpointConfig config,
            BlobStore blobStore,
            LocalCounters counters,
            ScheduledExecutorService scheduler,
            ExecutorService workers,
            NotificationPublisher notifications) {
        this.config = config;
        this.blobStore = blobStore;
        this.counters = counters;
        this.scheduler = scheduler;
        this.workers = workers;
        this.notifications = notifications;
    }

    LocalEndpointConfig config() {
        return config;
    }

    void updateConfig(LocalEndpointConfig newConfig) {
        this.config = newConfig;
    }

    /** Invocations accepted but not yet written to S3. */
    synchronized int pending() {
        return queue.size() + inProgress;
    }

    /** Throws the injected synchronous rejection for this call, if the dice say so. */
    void maybeReject() throws ServiceException {
        FaultInjection faults = config.faults();
        double roll = ThreadLocalRandom.current().nextDouble();
        double threshold = faults.throttledFraction();
        if (roll < threshold) {
            counters.countRejection(Rejection.THROTTLED);
            throw new ServiceException(429, "ThrottlingException", "Rate exceeded (injected)");
        }
        threshold += faults.serviceUnavailableFraction();
        if (roll < threshold) {
            counters.countRejection(Rejection.SERVICE_UNAVAILABLE);
            throw new ServiceException(
                    503,
                    "ServiceUnavailable",
                    "The service is unavailable. Try your call again. (injected)");
        }
        threshold += faults.internalFailureFraction();
        if (roll < threshold) {
            counters.countRejection(Rejection.INTERNAL_FAILURE);
            throw new ServiceException(
                    500, "InternalFailure", "An internal failure occurred. (injected)");
        }
    }

    Accepted accept(AsyncInvocation invocation) {
        LocalEndpointConfig current = config;
        String uuid = UUID.randomUUID().toString();
        String baseName =
                current.outputNaming() == OutputNaming.INFERENCE_ID
                        ? invocation.inferenceId()
                        : uuid;
        String outputName =
                invocation.filename() != null ? invocation.filename() : baseName + ".out";
        S3Uri outputDir = current.s3OutputPath();
        boolean failurePath = current.s3FailurePath() != null;
        S3Uri failureDir = failurePath ? current.s3FailurePath() : current.s3OutputPath();
        if (invocation.outputPathExtension() != null) {
            outputDir = outputDir.resolve(invocation.outputPathExtension());
            if (current.extensionAppliesToFailures() || !failurePath) {
                failureDir = failureDir.resolve(invocation.outputPathExtension());
            }
        }
        Accepted accepted =
                new Accepted(
                        invocation.inferenceId(),
                        outputDir.resolve(outputName),
                        failureDir.resolve(baseName + "-error.out"),
                        failurePath);
        counters.countInvocation(
                invocation.isInline() ? InvocationKind.INLINE : InvocationKind.INPUT_LOCATION,
                invocation.inferenceId());
        synchronized (this) {
            queue.addLast(new Queued(invocation, accepted, System.nanoTime(), Instant.now()));
        }
        drain();
        return accepted;
    }

    private void drain() {
        List<Queued> toStart = new ArrayList<>();
        synchronized (this) {
            while (inProgress < config.maxConcurrentInvocations() && !queue.isEmpty()) {
                inProgress++;
                toStart.add(queue.pollFirst());
            }
        }
        for (Queued queued : toStart) {
            workers.execute(() -> start(queued));
        }
    }

    private void start(Queued queued) {
        LocalEndpointConfig current = config;
        AsyncInvocation invocation = queued.invocation();
        long ttlNanos = scaledNanos(invocation.requestTtlSeconds(), current);
        if (System.nanoTime() - queued.acceptedAtNanos() > ttlNanos) {
            finish(
                    queued,
                    ModelResponse.error(
                            "Request expired: it waited in the queue longer than"
                                    + " RequestTTLSeconds="
                                    + invocation.requestTtlSeconds()));
            return;
        }
        FaultInjection faults = current.faults();
        long latencyNanos = randomLatencyNanos(faults);
        boolean injectModelError =
                ThreadLocalRandom.current().nextDouble() < faults.modelErrorFraction();

        CompletableFuture<ModelResponse> response = new CompletableFuture<>();
        scheduler.schedule(
                () ->
                        workers.execute(
                                () ->
                                        response.complete(
                                                invokeModel(
                                                        current, invocation, injectModelError))),
                latencyNanos,
                TimeUnit.NANOSECONDS);
        long timeoutNanos = scaledNanos(invocation.invocationTimeoutSeconds(), current);
        response.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                .whenComplete(
                        (result, error) -> {
                            if (error instanceof TimeoutException) {
                                finish(
                                        queued,
                                        ModelResponse.error(
                                                "Model invocation timed out after"
                                                        + " InvocationTimeoutSeconds="
                                                        + invocation.invocationTimeoutSeconds()));
                            } else if (error != null) {
                                finish(queued, ModelResponse.error("Model failed: " + error));
                            } else {
                                finish(queued, result);
                            }
                        });
    }

    private ModelResponse invokeModel(
            LocalEndpointConfig current, AsyncInvocation invocation, boolean injectModelError) {
        try {
            byte[] payload =
                    invocation.isInline()
                            ? invocation.body()
                            : readInput(invocation.inputLocation());
            if (payload == null) {
                return ModelResponse.error(
                        "Could not read the input at "
                                + invocation.inputLocation()
                                + ": NoSuchKey");
            }
            if (injectModelError) {
                return ModelResponse.error("Model error (injected)");
            }
            ModelResponse response =
                    current.model()
                            .invoke(
                                    new ModelRequest(
                                            payload,
                                            invocation.contentType(),
                                            invocation.accept(),
                                            invocation.customAttributes(),
                                            invocation.inferenceId()));
            return response != null ? response : ModelResponse.error("Model returned nothing");
        } catch (Exception e) {
            return ModelResponse.error("Model failed: " + e);
        }
    }

    private byte[] readInput(String inputLocation) throws Exception {
        S3Uri location = S3Uri.parseLocation(inputLocation);
        Blob blob = blobStore.getBlob(location.bucket(), location.key());
        if (blob == null) {
            return null;
        }
        counters.countInputRead();
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    private void finish(Queued queued, ModelResponse response) {
        S3Uri location = null;
        Instant writtenAt = null;
        try {
            if (response.isError()) {
                write(
                        queued.accepted().failureLocation(),
                        response.errorMessage().getBytes(StandardCharsets.UTF_8),
                        NotificationPublisher.FAILURE_CONTENT_TYPE);
                location = queued.accepted().failureLocation();
                writtenAt = Instant.now();
                counters.countFailureWritten();
            } else {
                write(queued.accepted().outputLocation(), response.body(), response.contentType());
                location = queued.accepted().outputLocation();
                writtenAt = Instant.now();
                counters.countOutputWritten();
            }
        } catch (RuntimeException e) {
            LOG.error(
                    "Could not write the result of inference {}",
                    queued.accepted().inferenceId(),
                    e);
        } finally {
            synchronized (this) {
                inProgress--;
            }
            drain();
        }
        // Only a written result is notified: a subscriber then reads it.
        if (location != null) {
            notifications.publish(
                    config,
                    queued.invocation(),
                    queued.receivedAt(),
                    writtenAt,
                    location,
                    response);
        }
    }

    private void write(S3Uri location, byte[] bytes, String contentType) {
        Blob blob =
                blobStore
                        .blobBuilder(location.key())
                        .payload(bytes)
                        .contentLength(bytes.length)
                        .contentType(contentType)
                        .build();
        blobStore.putBlob(location.bucket(), blob);
    }

    private static long scaledNanos(int seconds, LocalEndpointConfig config) {
        return (long) (TimeUnit.SECONDS.toNanos(seconds) * config.serviceTimeScale());
    }

    private static long randomLatencyNanos(FaultInjection faults) {
        long min = faults.minLatency().toNanos();
        long max = faults.maxLatency().toNanos();
        return min == max ? min : ThreadLocalRandom.current().nextLong(min, max + 1);
    }
}
