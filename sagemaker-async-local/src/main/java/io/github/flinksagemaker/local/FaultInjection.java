package io.github.flinksagemaker.local;

import java.time.Duration;
import java.util.Objects;

/**
 * Faults the local endpoint injects, per endpoint: model latency (fixed or a uniform random range)
 * and fractions of calls rejected as throttled (429), service unavailable (503) or internal failure
 * (500), and of accepted calls that end in a model error. Immutable; see {@link #builder()}.
 */
public final class FaultInjection {
    /** No faults and no added latency. */
    public static final FaultInjection NONE = builder().build();

    private final Duration minLatency;
    private final Duration maxLatency;
    private final double throttledFraction;
    private final double serviceUnavailableFraction;
    private final double internalFailureFraction;
    private final double modelErrorFraction;

    private FaultInjection(Builder builder) {
        this.minLatency = builder.minLatency;
        this.maxLatency = builder.maxLatency;
        this.throttledFraction = builder.throttledFraction;
        this.serviceUnavailableFraction = builder.serviceUnavailableFraction;
        this.internalFailureFraction = builder.internalFailureFraction;
        this.modelErrorFraction = builder.modelErrorFraction;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration minLatency() {
        return minLatency;
    }

    public Duration maxLatency() {
        return maxLatency;
    }

    public double throttledFraction() {
        return throttledFraction;
    }

    public double serviceUnavailableFraction() {
        return serviceUnavailableFraction;
    }

    public double internalFailureFraction() {
        return internalFailureFraction;
    }

    public double modelErrorFraction() {
        return modelErrorFraction;
    }

    /** Builds {@link FaultInjection}; fractions are in [0, 1] and the rejections add up to ≤ 1. */
    public static final class Builder {
        private Duration minLatency = Duration.ZERO;
        private Duration maxLatency = Duration.ZERO;
        private double throttledFraction;
        private double serviceUnavailableFraction;
        private double internalFailureFraction;
        private double modelErrorFraction;

        private Builder() {}

        /** Every invocation takes this long before the model answers. */
        public Builder latency(Duration latency) {
            return latency(latency, latency);
        }

        /**
         * Every invocation takes a uniformly random time in [min, max] before the model answers.
         */
        public Builder latency(Duration min, Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "latency needs 0 <= min <= max, got min=" + min + " max=" + max);
            }
            this.minLatency = min;
            this.maxLatency = max;
            return this;
        }

        public Builder throttledFraction(double fraction) {
            this.throttledFraction = checkFraction("throttledFraction", fraction);
            return this;
        }

        public Builder serviceUnavailableFraction(double fraction) {
            this.serviceUnavailableFraction = checkFraction("serviceUnavailableFraction", fraction);
            return this;
        }

        public Builder internalFailureFraction(double fraction) {
            this.internalFailureFraction = checkFraction("internalFailureFraction", fraction);
            return this;
        }

        public Builder modelErrorFraction(double fraction) {
            this.modelErrorFraction = checkFraction("modelErrorFraction", fraction);
            return this;
        }

        public FaultInjection build() {
            double rejected =
                    throttledFraction + serviceUnavailableFraction + internalFailureFraction;
            if (rejected > 1.0) {
                throw new IllegalArgumentException(
                        "throttledFraction + serviceUnavailableFraction + internalFailureFraction"
                                + " must be at most 1, got "
                                + rejected);
            }
            return new FaultInjection(this);
        }

        private static double checkFraction(String name, double fraction) {
            if (!(fraction >= 0.0 && fraction <= 1.0)) {
                throw new IllegalArgumentException(name + " must be in [0, 1], got " + fraction);
            }
            return fraction;
        }
    }
}
