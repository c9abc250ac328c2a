package io.github.flinksagemaker.connector.join;

import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes records on with their timestamps but no event time of its own: its output is idle from the
 * first watermark on and carries none. For the REJECTED results of the ID guard, which stands
 * before the submit operator: its watermark runs ahead of elements still being submitted, and when
 * the input goes idle (Flink's Async I/O forwards idleness ahead of its records) an all-idle union
 * downstream would take that watermark and make those elements' results late. With this channel
 * idle, the union follows the join's held watermark only. A rejection is never late itself: it
 * leaves as its element comes, before any watermark that passes it.
 */
@Internal
public final class IdleChannel<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;

    private transient boolean announcedIdle;

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) {
        announceIdle();
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        announceIdle();
    }

    private void announceIdle() {
        if (!announcedIdle) {
            announcedIdle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
    }
}
