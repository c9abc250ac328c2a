package io.github.flinksagemaker.connector.notification.split;

import io.github.flinksagemaker.connector.testutils.Golden;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Version 1 of the queue split format, against golden bytes that are never regenerated. */
class QueueSplitSerializerTest {
    private final QueueSplitSerializer serializer = QueueSplitSerializer.INSTANCE;

    @Test
    void writesAndReadsVersion1() throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(new QueueSplit(7)))
                .isEqualTo(Golden.bytes("queue-split-v1.bin"));
        QueueSplit read = serializer.deserialize(1, Golden.bytes("queue-split-v1.bin"));
        assertThat(read).isEqualTo(new QueueSplit(7));
        assertThat(read.splitId()).isEqualTo("queue-7");
    }

    @Test
    void rejectsAnUnknownVersionAndTrailingBytes() {
        assertThatThrownBy(() -> serializer.deserialize(2, Golden.bytes("queue-split-v1.bin")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("reads version 1");
        assertThatThrownBy(() -> serializer.deserialize(1, new byte[] {0, 0, 0, 1, 0}))
                .hasMessageContaining("1 trailing bytes");
    }
}
