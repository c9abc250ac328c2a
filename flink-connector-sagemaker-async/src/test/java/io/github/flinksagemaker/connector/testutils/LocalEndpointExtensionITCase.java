package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.local.LocalCounters.S3Operation;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ITCases share one local endpoint per class but count per test: what an earlier test did is
 * not in a later test's counters, while its objects stay for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalEndpointExtensionITCase {
    @RegisterExtension static final LocalEndpointExtension LOCAL = new LocalEndpointExtension();

    @Test
    @Order(1)
    void anEarlierTestWritesObjects() {
        LOCAL.putObjects(Map.of("earlier/a.out", "a", "earlier/b.out", "b"));

        assertThat(LOCAL.counters().s3Requests(S3Operation.PUT)).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aLaterTestStartsFromZeroCountsOnTheSameEndpoint() {
        assertThat(LOCAL.counters().s3Requests(S3Operation.PUT))
                .as("the earlier test's PUTs")
                .isZero();
        assertThat(LocalAwsConfig.read(LOCAL.s3(), LOCAL.prefix("earlier", "a.out")))
                .as("the earlier test's object, on the class's endpoint")
                .isEqualTo("a".getBytes(StandardCharsets.UTF_8));
    }
}
