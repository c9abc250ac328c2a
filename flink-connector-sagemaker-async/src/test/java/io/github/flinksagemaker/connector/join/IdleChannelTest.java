package io.github.flinksagemaker.connector.join;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Records keep their timestamps; the channel carries no watermark and is idle from the first. */
class IdleChannelTest {

    @Test
    void recordsPassWithTheirTimestampsAndTheChannelIsIdleInsteadOfCarryingWatermarks()
            throws Exception {
        try (var channel = new OneInputStreamOperatorTestHarness<>(new IdleChannel<String>())) {
            channel.open();
            channel.processElement(new StreamRecord<>("rejected", 1_000L));
            channel.processWatermark(new Watermark(5_000L));
            channel.processWatermarkStatus(WatermarkStatus.ACTIVE);
            channel.processWatermark(new Watermark(6_000L));
            channel.processElement(new StreamRecord<>("later", 7_000L));

            assertThat(channel.getOutput())
                    .containsExactly(
                            new StreamRecord<>("rejected", 1_000L),
                            WatermarkStatus.IDLE,
                            new StreamRecord<>("later", 7_000L));
        }
    }
}
