package io.github.flinksagemaker.connector.docs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoupled pattern's interval joins, in docs/sql.md and the runnable example, wait at least as
 * long as the result window that SAGEMAKER_SUBMIT_ASYNC leaves at the service's defaults: a shorter
 * upper bound drops the results of slow inferences without a trace.
 */
class DecoupledJoinDocsTest {
    /** The service's defaults: RequestTTL 6 h and InvocationTimeout 15 min. */
    private static final Duration RESULT_WINDOW = Duration.ofHours(6).plusMinutes(15);

    private static final Pattern UPPER_BOUND =
            Pattern.compile(
                    "q\\.proc \\+ INTERVAL '([0-9:]+)' (HOUR TO MINUTE|HOUR|MINUTE)",
                    Pattern.CASE_INSENSITIVE);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"docs/sql.md", "examples/sql/review-sentiment.sql"})
    void theJoinWaitsAtLeastTheDefaultResultWindow(String file) throws IOException {
        String text = Files.readString(Path.of("..", file));
        List<Duration> bounds = new ArrayList<>();
        Matcher bound = UPPER_BOUND.matcher(text);
        while (bound.find()) {
            bounds.add(interval(bound.group(1), bound.group(2).toUpperCase()));
        }

        assertThat(bounds).as("interval joins' upper bounds in %s", file).isNotEmpty();
        assertThat(bounds).allSatisfy(b -> assertThat(b).isGreaterThanOrEqualTo(RESULT_WINDOW));
        assertThat(text).doesNotContainPattern("(?i)q\\.proc \\+ INTERVAL '[^']*' (SECOND|DAY)");
    }

    private static Duration interval(String value, String unit) {
        switch (unit) {
            case "HOUR TO MINUTE":
                String[] parts = value.split(":");
                return Duration.ofHours(Long.parseLong(parts[0]))
                        .plusMinutes(Long.parseLong(parts[1]));
            case "HOUR":
                return Duration.ofHours(Long.parseLong(value));
            default:
                return Duration.ofMinutes(Long.parseLong(value));
        }
    }
}
