package io.github.flinksagemaker.connector.aws;

import org.apache.flink.annotation.Internal;

/**
 * Told about each retry and each throttled or overloaded attempt (429, a throttling error, 503),
 * for metrics and to slow down.
 */
@Internal
public interface RetryListener {
    RetryListener NONE =
            new RetryListener() {
                @Override
                public void onRetry() {}

                @Override
                public void onThrottled() {}
            };

    void onRetry();

    void onThrottled();
}
