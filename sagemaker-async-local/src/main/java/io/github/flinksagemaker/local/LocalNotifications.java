package io.github.flinksagemaker.local;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An endpoint's {@code AsyncInferenceConfig.OutputConfig.NotificationConfig}, as a subscriber sees
 * it: the SQS queue subscribed to the SuccessTopic and the one subscribed to the ErrorTopic (the
 * same queue or two; an absent one means that topic is not configured, so no notification of that
 * kind), whether the subscription uses raw message delivery, whether the inference response is
 * included, and faults of the delivery: SNS delivers at least once, late, and a lost message is
 * possible. Immutable; see {@link #builder()}.
 */
public final class LocalNotifications {
    /** No topics configured: the endpoint sends no notifications. */
    public static final LocalNotifications NONE = builder().build();

    /** The service includes a response in the notification only up to this size. */
    public static final int MAX_INCLUDED_RESPONSE_BYTES = 128_000;

    private static final Pattern QUEUE_NAME = Pattern.compile("^[A-Za-z0-9_-]{1,80}$");

    private final String successQueue;
    private final String errorQueue;
    private final boolean rawDelivery;
    private final boolean includeInferenceResponse;
    private final double duplicateFraction;
    private final double dropFraction;
    private final Duration minDelay;
    private final Duration maxDelay;

    private LocalNotifications(Builder builder) {
        this.successQueue = builder.successQueue;
        this.errorQueue = builder.errorQueue;
        this.rawDelivery = builder.rawDelivery;
        this.includeInferenceResponse = builder.includeInferenceResponse;
        this.duplicateFraction = builder.duplicateFraction;
        this.dropFraction = builder.dropFraction;
        this.minDelay = builder.minDelay;
        this.maxDelay = builder.maxDelay;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder with all of this configuration, to change some of it. */
    public Builder toBuilder() {
        return new Builder()
                .successQueue(successQueue)
                .errorQueue(errorQueue)
                .rawDelivery(rawDelivery)
                .includeInferenceResponse(includeInferenceResponse)
                .duplicateFraction(duplicateFraction)
                .dropFraction(dropFraction)
                .delay(minDelay, maxDelay);
    }

    /** The queue that receives success notifications, or null for none. */
    public String successQueue() {
        return successQueue;
    }

    /** The queue that receives error notifications, or null for none. */
    public String errorQueue() {
        return errorQueue;
    }

    /**
     * True: the message body is the SageMaker JSON. False: it is the SNS envelope whose {@code
     * Message} holds that JSON as a string.
     */
    public boolean rawDelivery() {
        return rawDelivery;
    }

    /**
     * Whether success notifications carry the output (base64), as with {@code
     * IncludeInferenceResponseIn=SUCCESS_NOTIFICATION_TOPIC}; only outputs of at most {@link
     * #MAX_INCLUDED_RESPONSE_BYTES} are included.
     */
    public boolean includeInferenceResponse() {
        return includeInferenceResponse;
    }

    public double duplicateFraction() {
        return duplicateFraction;
    }

    public double dropFraction() {
        return dropFraction;
    }

    public Duration minDelay() {
        return minDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * Builds {@link LocalNotifications}; by default no queues, raw delivery, response included, no
     * faults.
     */
    public static final class Builder {
        private String successQueue;
        private String errorQueue;
        private boolean rawDelivery = true;
        private boolean includeInferenceResponse = true;
        private double duplicateFraction;
        private double dropFraction;
        private Duration minDelay = Duration.ZERO;
        private Duration maxDelay = Duration.ZERO;

        private Builder() {}

        /** The queue subscribed to the SuccessTopic; null for no success notifications. */
        public Builder successQueue(String queueName) {
            this.successQueue = checkQueueName("successQueue", queueName);
            return this;
        }

        /** The queue subscribed to the ErrorTopic; null for no error notifications. */
        public Builder errorQueue(String queueName) {
            this.errorQueue = checkQueueName("errorQueue", queueName);
            return this;
        }

        /** See {@link LocalNotifications#rawDelivery()}; default true. */
        public Builder rawDelivery(boolean raw) {
            this.rawDelivery = raw;
            return this;
        }

        /** See {@link LocalNotifications#includeInferenceResponse()}; default true. */
        public Builder includeInferenceResponse(boolean include) {
            this.includeInferenceResponse = include;
            return this;
        }

        /** The fraction of notifications sent twice (two SendMessage calls). */
        public Builder duplicateFraction(double fraction) {
            this.duplicateFraction = checkFraction("duplicateFraction", fraction);
            return this;
        }

        /** The fraction of notifications never sent. */
        public Builder dropFraction(double fraction) {
            this.dropFraction = checkFraction("dropFraction", fraction);
            return this;
        }

        /**
         * Each message is sent a uniformly random time in [min, max] after its result object was
         * written (each copy of a duplicate draws its own).
         */
        public Builder delay(Duration min, Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException(
                        "delay needs 0 <= min <= max, got min=" + min + " max=" + max);
            }
            this.minDelay = min;
            this.maxDelay = max;
            return this;
        }

        public LocalNotifications build() {
            if (duplicateFraction + dropFraction > 1.0) {
                throw new IllegalArgumentException(
                        "duplicateFraction + dropFraction must be at most 1, got "
                                + (duplicateFraction + dropFraction));
            }
            return new LocalNotifications(this);
        }

        private static String checkQueueName(String member, String name) {
            if (name != null && !QUEUE_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        member
                                + " must be a standard queue name of 1-80 letters, digits, - and _,"
                                + " got '"
                                + name
                                + "'");
            }
            return name;
        }

        private static double checkFraction(String name, double fraction) {
            if (!(fraction >= 0.0 && fraction <= 1.0)) {
                throw new IllegalArgumentException(name + " must be in [0, 1], got " + fraction);
            }
            return fraction;
        }
    }
}
