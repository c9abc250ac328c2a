package io.github.flinksagemaker.connector.sagemaker;

import org.apache.flink.annotation.Internal;

/** Told about each retry and each throttled attempt, for metrics. */
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
