package io.github.flinksagemaker.connector.s3;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key pattern with {yyyy} {MM} {dd} {HH} {mm} filled from a time in UTC, e.g. {@code
 * results/{yyyy}/{MM}/{dd}/{HH}}. The submit side sends it as S3OutputPathExtension so that results
 * land in time buckets; the watch source lists only the buckets that can still receive results.
 * Minute buckets ({mm}) keep each bucket small, so listing the current one stays cheap at high
 * result rates.
 */
@Internal
public final class TimeBucketPattern implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(yyyy|MM|dd|HH|mm)\\}");
    private static final long MINUTE = ChronoUnit.MINUTES.getDuration().toMillis();
    private static final long HOUR = ChronoUnit.HOURS.getDuration().toMillis();

    private final String pattern;
    private final Pattern bucketedKey;

    public TimeBucketPattern(String pattern) {
        this.pattern = pattern;
        this.bucketedKey = Pattern.compile(bucketRegex(pattern) + "/.+", Pattern.DOTALL);
    }

    private static String bucketRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(pattern);
        int from = 0;
        while (placeholder.find()) {
            regex.append(Pattern.quote(pattern.substring(from, placeholder.start())));
            regex.append(placeholder.group().equals("{yyyy}") ? "\\d{4}" : "\\d{2}");
            from = placeholder.end();
        }
        return regex.append(Pattern.quote(pattern.substring(from))).toString();
    }

    /**
     * Whether {@code relativeKey} (below the watched prefix) lies in one of this pattern's buckets.
     */
    public boolean isBucketed(String relativeKey) {
        return bucketedKey.matcher(relativeKey).matches();
    }

    public String pattern() {
        return pattern;
    }

    public boolean hasPlaceholders() {
        return pattern.contains("{");
    }

    public String render(long epochMillis) {
        if (!hasPlaceholders()) {
            return pattern;
        }
        ZonedDateTime time = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
        return pattern.replace("{yyyy}", String.format("%04d", time.getYear()))
                .replace("{MM}", String.format("%02d", time.getMonthValue()))
                .replace("{dd}", String.format("%02d", time.getDayOfMonth()))
                .replace("{HH}", String.format("%02d", time.getHour()))
                .replace("{mm}", String.format("%02d", time.getMinute()));
    }

    /**
     * The time step that visits every bucket: a minute with {mm}, else an hour (coarser buckets are
     * whole hours).
     */
    public long stepMillis() {
        return pattern.contains("{mm}") ? MINUTE : HOUR;
    }

    /**
     * The distinct buckets of every {@linkplain #stepMillis() step} from {@code fromMillis} to
     * {@code toMillis}, oldest first: every bucket whose period overlaps that time.
     */
    public Set<String> bucketsBetween(long fromMillis, long toMillis) {
        Set<String> buckets = new LinkedHashSet<>();
        long step = stepMillis();
        for (long t = fromMillis - Math.floorMod(fromMillis, step); t <= toMillis; t += step) {
            buckets.add(render(t));
        }
        return buckets;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimeBucketPattern && pattern.equals(((TimeBucketPattern) o).pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
