package io.github.flinksagemaker.connector.notification.enumerator;

import io.github.flinksagemaker.connector.testutils.Golden;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Version 1 of the queue enumerator's state, against golden bytes never regenerated. */
class QueueEnumeratorStateSerializerTest {
    private static final QueueEnumeratorState STATE = QueueEnumeratorState.of(4, Set.of(3, 1));

    private final QueueEnumeratorStateSerializer serializer = new QueueEnumeratorStateSerializer();

    @Test
    void writesAndReadsVersion1() throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(STATE))
                .isEqualTo(Golden.bytes("queue-enumerator-state-v1.bin"));
        assertThat(serializer.deserialize(1, Golden.bytes("queue-enumerator-state-v1.bin")))
                .isEqualTo(STATE);
    }

    @Test
    void rejectsAnUnknownVersionAndInconsistentState() {
        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        2, Golden.bytes("queue-enumerator-state-v1.bin")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> QueueEnumeratorState.of(2, Set.of(2)))
                .hasMessageContaining("not below splitCount 2");
    }
}
