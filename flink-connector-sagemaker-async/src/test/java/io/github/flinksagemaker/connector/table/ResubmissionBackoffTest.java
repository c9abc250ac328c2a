package io.github.flinksagemaker.connector.table;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Resubmissions after a MODEL_ERROR wait the SDK's backoff: doubling, capped, half jittered. */
class ResubmissionBackoffTest {

    @Test
    void theWaitDoublesFromOneSecondUpToThirtyWithHalfJitter() {
        for (int round = 0; round < 50; round++) {
            assertThat(SageMakerPredictFunction.backoff(0)).isBetween(500L, 1_000L);
            assertThat(SageMakerPredictFunction.backoff(1)).isBetween(1_000L, 2_000L);
            assertThat(SageMakerPredictFunction.backoff(3)).isBetween(4_000L, 8_000L);
            assertThat(SageMakerPredictFunction.backoff(5)).isBetween(15_000L, 30_000L);
            assertThat(SageMakerPredictFunction.backoff(1_000)).isBetween(15_000L, 30_000L);
        }
    }
}
