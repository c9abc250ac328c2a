package io.github.flinksagemaker.connector.submit;

import org.apache.flink.annotation.Internal;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** An S3OutputPathExtension pattern with {yyyy} {MM} {dd} {HH} filled from a time in UTC. */
@Internal
final class OutputPathExtension implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String pattern;
    private final boolean hasPlaceholders;

    OutputPathExtension(String pattern) {
        this.pattern = pattern;
        this.hasPlaceholders = pattern.contains("{");
    }

    String render(long epochMillis) {
        if (!hasPlaceholders) {
            return pattern;
        }
        ZonedDateTime time = Instant.ofEpochMilli(epochMillis).atZone(ZoneOffset.UTC);
        return pattern.replace("{yyyy}", String.format("%04d", time.getYear()))
                .replace("{MM}", String.format("%02d", time.getMonthValue()))
                .replace("{dd}", String.format("%02d", time.getDayOfMonth()))
                .replace("{HH}", String.format("%02d", time.getHour()));
    }
}
