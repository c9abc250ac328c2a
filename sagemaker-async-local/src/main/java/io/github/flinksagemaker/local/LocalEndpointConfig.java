package io.github.flinksagemaker.local;

import io.github.flinksagemaker.local.model.LocalModel;
import io.github.flinksagemaker.local.s3.S3Uri;

import java.util.Objects;

/**
 * One local async endpoint: its name, the {@code AsyncInferenceConfig} parts that matter here
 * (output path, optional failure path, max concurrent invocations) and the model it serves.
 */
public final class LocalEndpointConfig {
    private final String name;
    private final S3Uri s3OutputPath;
    private final S3Uri s3FailurePath;
    private final int maxConcurrentInvocations;
    private final LocalModel model;
    private final OutputNaming outputNaming;
    private final FaultInjection faults;
    private final double serviceTimeScale;
    private final boolean extensionAppliesToFailures;
    private final LocalNotifications notifications;

    private LocalEndpointConfig(Builder builder) {
        this.name = builder.name;
        this.s3OutputPath = builder.s3OutputPath;
        this.s3FailurePath = builder.s3FailurePath;
        this.maxConcurrentInvocations = builder.maxConcurrentInvocations;
        this.model = builder.model;
        this.outputNaming = builder.outputNaming;
        this.faults = builder.faults;
        this.serviceTimeScale = builder.serviceTimeScale;
        this.extensionAppliesToFailures = builder.extensionAppliesToFailures;
        this.notifications = builder.notifications;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public S3Uri s3OutputPath() {
        return s3OutputPath;
    }

    /**
     * Where failures go, or null when the endpoint has no S3FailurePath: then failure objects are
     * written below the output path and responses carry no FailureLocation.
     */
    public S3Uri s3FailurePath() {
        return s3FailurePath;
    }

    /**
     * Whether a request's S3OutputPathExtension is appended to the failure path too (default). The
     * service's behaviour is not documented; false places failures directly below the failure path,
     * so clients can be tested against both.
     */
    public boolean extensionAppliesToFailures() {
        return extensionAppliesToFailures;
    }

    public int maxConcurrentInvocations() {
        return maxConcurrentInvocations;
    }

    public LocalModel model() {
        return model;
    }

    public OutputNaming outputNaming() {
        return outputNaming;
    }

    public FaultInjection faults() {
        return faults;
    }

    /**
     * Factor applied to each request's RequestTTLSeconds and InvocationTimeoutSeconds. The real
     * service has a 60 s minimum TTL; a scale of 0.001 lets a test see a TTL expire after 60 ms.
     */
    public double serviceTimeScale() {
        return serviceTimeScale;
    }

    /** Where and how completions are notified; {@link LocalNotifications#NONE} by default. */
    public LocalNotifications notifications() {
        return notifications;
    }

    /** A copy of this configuration with other notifications. */
    public LocalEndpointConfig withNotifications(LocalNotifications newNotifications) {
        return toBuilder().notifications(newNotifications).build();
    }

    /** A copy of this configuration with other faults. */
    public LocalEndpointConfig withFaults(FaultInjection newFaults) {
        return toBuilder().faults(newFaults).build();
    }

    private Builder toBuilder() {
        Builder builder =
                new Builder(name)
                        .s3OutputPath(s3OutputPath.toString())
                        .extensionAppliesToFailures(extensionAppliesToFailures);
        if (s3FailurePath != null) {
            builder.s3FailurePath(s3FailurePath.toString());
        }
        return builder.maxConcurrentInvocations(maxConcurrentInvocations)
                .model(model)
                .outputNaming(outputNaming)
                .faults(faults)
                .serviceTimeScale(serviceTimeScale)
                .notifications(notifications);
    }

    /** Builds a {@link LocalEndpointConfig}; output path and model are required. */
    public static final class Builder {
        private final String name;
        private S3Uri s3OutputPath;
        private S3Uri s3FailurePath;
        private int maxConcurrentInvocations = 64;
        private LocalModel model;
        private OutputNaming outputNaming = OutputNaming.RANDOM;
        private FaultInjection faults = FaultInjection.NONE;
        private double serviceTimeScale = 1.0;
        private boolean extensionAppliesToFailures = true;
        private LocalNotifications notifications = LocalNotifications.NONE;

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.length() > 63
                    || !InvocationParser.ENDPOINT_NAME_PATTERN.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "Endpoint name '"
                                + name
                                + "' must be 1-63 characters matching "
                                + InvocationParser.ENDPOINT_NAME_PATTERN.pattern());
            }
            this.name = name;
        }

        /** Where outputs go, e.g. {@code s3://bucket/async/output}. */
        public Builder s3OutputPath(String uri) {
            this.s3OutputPath = S3Uri.parse(uri, "s3OutputPath");
            return this;
        }

        /**
         * Where failures go, e.g. {@code s3://bucket/async/failure}; optional, as in the service.
         */
        public Builder s3FailurePath(String uri) {
            this.s3FailurePath = S3Uri.parse(uri, "s3FailurePath");
            return this;
        }

        /** As {@code ClientConfig.MaxConcurrentInvocationsPerInstance}: 1 to 1000, default 64. */
        public Builder maxConcurrentInvocations(int max) {
            if (max < 1 || max > 1000) {
                throw new IllegalArgumentException(
                        "maxConcurrentInvocations must be in [1, 1000], got " + max);
            }
            this.maxConcurrentInvocations = max;
            return this;
        }

        public Builder model(LocalModel model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        public Builder outputNaming(OutputNaming naming) {
            this.outputNaming = Objects.requireNonNull(naming, "outputNaming");
            return this;
        }

        public Builder faults(FaultInjection faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * The SNS notifications of completions, delivered to queues of the embedded SQS; default
         * {@link LocalNotifications#NONE}.
         */
        public Builder notifications(LocalNotifications notifications) {
            this.notifications = Objects.requireNonNull(notifications, "notifications");
            return this;
        }

        /** See {@link LocalEndpointConfig#extensionAppliesToFailures()}; default true. */
        public Builder extensionAppliesToFailures(boolean applies) {
            this.extensionAppliesToFailures = applies;
            return this;
        }

        /** See {@link LocalEndpointConfig#serviceTimeScale()}; must be positive, default 1. */
        public Builder serviceTimeScale(double scale) {
            if (!(scale > 0.0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException(
                        "serviceTimeScale must be a positive number, got " + scale);
            }
            this.serviceTimeScale = scale;
            return this;
        }

        public LocalEndpointConfig build() {
            if (s3OutputPath == null) {
                throw new IllegalArgumentException("Endpoint '" + name + "' needs s3OutputPath");
            }
            if (model == null) {
                throw new IllegalArgumentException("Endpoint '" + name + "' needs a model");
            }
            return new LocalEndpointConfig(this);
        }
    }
}
