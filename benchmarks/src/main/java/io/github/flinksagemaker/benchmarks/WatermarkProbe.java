package io.github.flinksagemaker.benchmarks;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pass-through operator that records every watermark it receives with the moment it arrived, and
 * counts records that arrive late (timestamp at or behind the watermark already received) or
 * without a timestamp. One probe after the source and one after the connector give the input's and
 * the output's watermark at the same moments.
 */
final class WatermarkProbe<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Timeline> TIMELINES = new ConcurrentHashMap<>();

    /** What one probe (all its subtasks) saw. */
    static final class Timeline {
        /** {System.nanoTime(), subtask, watermark} per watermark received. */
        final ConcurrentLinkedQueue<long[]> marks = new ConcurrentLinkedQueue<>();

        final AtomicLong records = new AtomicLong();
        final AtomicLong late = new AtomicLong();
        final AtomicLong withoutTimestamp = new AtomicLong();
    }

    private final String name;
    private transient Timeline timeline;
    private transient int subtask;
    private transient long watermark;

    WatermarkProbe(String name) {
        this.name = name;
    }

    static Timeline create(String name) {
        Timeline timeline = new Timeline();
        TIMELINES.put(name, timeline);
        return timeline;
    }

    static void remove(String name) {
        TIMELINES.remove(name);
    }

    @Override
    public void open() throws Exception {
        super.open();
        timeline = TIMELINES.get(name);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        watermark = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<T> record) {
        timeline.records.incrementAndGet();
        if (!record.hasTimestamp()) {
            timeline.withoutTimestamp.incrementAndGet();
        } else if (record.getTimestamp() <= watermark) {
            timeline.late.incrementAndGet();
        }
        output.collect(record);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        timeline.marks.add(new long[] {System.nanoTime(), subtask, mark.getTimestamp()});
        watermark = Math.max(watermark, mark.getTimestamp());
        super.processWatermark(mark);
    }
}
