package io.github.flinksagemaker.connector.s3;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Time buckets per hour and per minute, as the submit side writes and the watch side lists. */
class TimeBucketPatternTest {
    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    @Test
    void rendersEveryPlaceholderInUtc() {
        assertThat(
                        new TimeBucketPattern("r/{yyyy}/{MM}/{dd}/{HH}/{mm}")
                                .render(at("2026-11-25T09:07:59.999Z")))
                .isEqualTo("r/2026/11/25/09/07");
    }

    @Test
    void minuteBucketsAreListedMinuteByMinute() {
        TimeBucketPattern minutes = new TimeBucketPattern("r/{yyyy}/{MM}/{dd}/{HH}/{mm}");
        assertThat(minutes.stepMillis()).isEqualTo(60_000L);
        assertThat(minutes.bucketsBetween(at("2026-11-25T10:58:30Z"), at("2026-11-25T11:01:10Z")))
                .containsExactly(
                        "r/2026/11/25/10/58",
                        "r/2026/11/25/10/59",
                        "r/2026/11/25/11/00",
                        "r/2026/11/25/11/01");
        assertThat(minutes.isBucketed("r/2026/11/25/10/58/a.out")).isTrue();
        assertThat(minutes.isBucketed("r/2026/11/25/10/a.out")).isFalse();
    }

    @Test
    void hourBucketsAreListedHourByHour() {
        TimeBucketPattern hours = new TimeBucketPattern("r/{yyyy}/{MM}/{dd}/{HH}");
        assertThat(hours.stepMillis()).isEqualTo(3_600_000L);
        assertThat(hours.bucketsBetween(at("2026-11-25T10:58:30Z"), at("2026-11-25T11:01:10Z")))
                .containsExactly("r/2026/11/25/10", "r/2026/11/25/11");
    }
}
