package io.github.flinksagemaker.connector.watch;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.config.ConnectorOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.config.WatchOptions.StartFrom;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.TimeBucketPattern;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The watch source's configuration, validated where the job is built. */
@Internal
public final class WatchConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern BUCKET_PATTERN = Pattern.compile("[a-zA-Z0-9!_.*'()/-]+");

    /** One prefix to watch and the status its objects get. */
    public record WatchedPrefix(S3Location root, ResultStatus status) implements Serializable {
        /**
         * Identifies the prefix in enumerator state across restarts: spelt as before the failure
         * status was renamed MODEL_ERROR, so that stored state finds its prefixes.
         */
        public String id() {
            return (status == ResultStatus.SUCCESS ? "SUCCESS" : "FAILURE") + " " + root;
        }

        /** The prefix as a directory: its key ends with '/' (unless it is the whole bucket). */
        public S3Location directory() {
            String key = root.key();
            return key.isEmpty() || key.endsWith("/")
                    ? root
                    : new S3Location(root.bucket(), key + "/");
        }

        /** The key of {@code location} below this prefix's directory, or null when not below. */
        String relativeKey(S3Location location) {
            String directory = directory().key();
            return location.bucket().equals(root.bucket())
                            && location.key().length() > directory.length()
                            && location.key().startsWith(directory)
                    ? location.key().substring(directory.length())
                    : null;
        }

        /**
         * Whether the failure prefix of a bucketed layout is also listed directly below its root:
         * whether the service applies S3OutputPathExtension to failure objects is not documented,
         * so both places are watched.
         */
        public boolean listsDirectChildren(TimeBucketPattern buckets) {
            return buckets != null && status == ResultStatus.MODEL_ERROR;
        }
    }

    private final Configuration configuration;
    private final List<WatchedPrefix> prefixes;
    private final TimeBucketPattern timeBuckets;
    private final Duration bucketLifetime;
    private final Duration recentBucketMargin;
    private final Duration olderBucketInterval;
    private final Duration lookback;
    private final Duration discoveryInterval;
    private final StartFrom startFrom;
    private final boolean bounded;
    private final int maxContentBytes;
    private final int fetchConcurrency;
    private final long maxBufferedBytes;
    private final int splitsPerRequest;
    private final boolean deleteConsumed;

    private WatchConfig(Configuration configuration) {
        this.configuration = new Configuration(configuration);
        ConnectorOptions.rejectUnknownKeys(configuration);
        AwsClients.validate(configuration);
        List<WatchedPrefix> watched = new ArrayList<>();
        configuration
                .getOptional(WatchOptions.OUTPUT_PATH)
                .ifPresent(
                        p ->
                                watched.add(
                                        prefix(
                                                configuration,
                                                WatchOptions.OUTPUT_PATH,
                                                p,
                                                ResultStatus.SUCCESS)));
        configuration
                .getOptional(WatchOptions.FAILURE_PATH)
                .ifPresent(
                        p ->
                                watched.add(
                                        prefix(
                                                configuration,
                                                WatchOptions.FAILURE_PATH,
                                                p,
                                                ResultStatus.MODEL_ERROR)));
        if (watched.isEmpty()) {
            throw new IllegalArgumentException(
                    "Option '"
                            + WatchOptions.OUTPUT_PATH.key()
                            + "' or '"
                            + WatchOptions.FAILURE_PATH.key()
                            + "' is required");
        }
        this.prefixes = List.copyOf(watched);
        if (prefixes.size() == 2) {
            rejectOverlap(configuration, prefixes.get(0), prefixes.get(1));
        }
        this.timeBuckets =
                configuration
                        .getOptional(WatchOptions.TIME_BUCKETS)
                        .map(WatchConfig::buckets)
                        .orElse(null);
        this.bucketLifetime = OptionChecks.positive(configuration, WatchOptions.BUCKET_LIFETIME);
        this.recentBucketMargin =
                OptionChecks.notNegative(configuration, WatchOptions.RECENT_BUCKET_MARGIN);
        this.olderBucketInterval =
                OptionChecks.positive(configuration, WatchOptions.OLDER_BUCKET_INTERVAL);
        this.lookback = OptionChecks.positive(configuration, WatchOptions.LOOKBACK);
        this.discoveryInterval =
                OptionChecks.positive(configuration, WatchOptions.DISCOVERY_INTERVAL);
        this.startFrom = OptionChecks.get(configuration, WatchOptions.START_FROM);
        this.bounded = OptionChecks.get(configuration, WatchOptions.BOUNDED);
        this.maxContentBytes =
                (int)
                        OptionChecks.bytesBetween(
                                configuration,
                                WatchOptions.MAX_CONTENT_BYTES,
                                0,
                                OptionChecks.MAX_ARRAY_BYTES);
        this.fetchConcurrency =
                OptionChecks.atLeast(configuration, WatchOptions.FETCH_CONCURRENCY, 1);
        this.maxBufferedBytes =
                positiveBytes(OptionChecks.get(configuration, WatchOptions.MAX_BUFFERED_BYTES));
        this.splitsPerRequest =
                OptionChecks.atLeast(configuration, WatchOptions.SPLITS_PER_REQUEST, 1);
        this.deleteConsumed = OptionChecks.get(configuration, WatchOptions.DELETE_CONSUMED);
    }

    /**
     * @throws IllegalArgumentException naming the first option that is missing or invalid
     */
    public static WatchConfig from(Configuration configuration) {
        return new WatchConfig(configuration);
    }

    public Configuration configuration() {
        return new Configuration(configuration);
    }

    public List<WatchedPrefix> prefixes() {
        return prefixes;
    }

    /** The time-bucket pattern below each prefix, or null when prefixes are listed whole. */
    public TimeBucketPattern timeBuckets() {
        return timeBuckets;
    }

    public Duration bucketLifetime() {
        return bucketLifetime;
    }

    /** How long before and after its period a time bucket is listed at every discovery. */
    public Duration recentBucketMargin() {
        return recentBucketMargin;
    }

    /** How often an open time bucket outside the recent margin is listed. */
    public Duration olderBucketInterval() {
        return olderBucketInterval;
    }

    public Duration lookback() {
        return lookback;
    }

    public Duration discoveryInterval() {
        return discoveryInterval;
    }

    public StartFrom startFrom() {
        return startFrom;
    }

    public boolean bounded() {
        return bounded;
    }

    public int maxContentBytes() {
        return maxContentBytes;
    }

    public int fetchConcurrency() {
        return fetchConcurrency;
    }

    /** Result bytes a reader may hold between starting a GET and emitting the object. */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    public int splitsPerRequest() {
        return splitsPerRequest;
    }

    public boolean deleteConsumed() {
        return deleteConsumed;
    }

    /**
     * Whether the watch source lists the place of {@code location}: below a watched prefix, and in
     * a time bucket of the pattern when there is one (or directly below the failure prefix).
     */
    public boolean watches(S3Location location) {
        for (WatchedPrefix prefix : prefixes) {
            String relative = prefix.relativeKey(location);
            if (relative != null
                    && (timeBuckets == null
                            || timeBuckets.isBucketed(relative)
                            || (prefix.listsDirectChildren(timeBuckets)
                                    && relative.indexOf('/') < 0))) {
                return true;
            }
        }
        return false;
    }

    /** Where the watch source lists, for messages. */
    public String describeWatched() {
        List<String> places = new ArrayList<>();
        for (WatchedPrefix prefix : prefixes) {
            String directory = prefix.directory().toString();
            places.add(
                    timeBuckets == null
                            ? directory + " (everything below it)"
                            : directory
                                    + timeBuckets.pattern()
                                    + "/"
                                    + (prefix.listsDirectChildren(timeBuckets)
                                            ? " (and directly below " + directory + ")"
                                            : ""));
        }
        return String.join(" and ", places);
    }

    private static void rejectOverlap(
            Configuration configuration, WatchedPrefix output, WatchedPrefix failure) {
        String a = output.directory().key();
        String b = failure.directory().key();
        if (output.root().bucket().equals(failure.root().bucket())
                && (a.startsWith(b) || b.startsWith(a))) {
            throw new IllegalArgumentException(
                    "Options '"
                            + OptionChecks.usedKey(configuration, WatchOptions.OUTPUT_PATH)
                            + "' ("
                            + output.root()
                            + ") and '"
                            + OptionChecks.usedKey(configuration, WatchOptions.FAILURE_PATH)
                            + "' ("
                            + failure.root()
                            + ") overlap: one contains the other, so an object could be found"
                            + " under both. Give the endpoint's S3OutputPath and S3FailurePath"
                            + " prefixes of their own, e.g. s3://bucket/async/output and"
                            + " s3://bucket/async/failure.");
        }
    }

    private static WatchedPrefix prefix(
            Configuration configuration,
            ConfigOption<String> option,
            String uri,
            ResultStatus status) {
        return new WatchedPrefix(
                S3Location.parse(
                        uri, "Option '" + OptionChecks.usedKey(configuration, option) + "'"),
                status);
    }

    private static long positiveBytes(MemorySize size) {
        if (size.getBytes() < 1) {
            throw OptionChecks.invalid(WatchOptions.MAX_BUFFERED_BYTES, size, "at least 1 byte");
        }
        return size.getBytes();
    }

    private static TimeBucketPattern buckets(String pattern) {
        TimeBucketPattern buckets = new TimeBucketPattern(pattern);
        if (!buckets.hasPlaceholders() || !BUCKET_PATTERN.matcher(buckets.render(0L)).matches()) {
            throw OptionChecks.invalid(
                    WatchOptions.TIME_BUCKETS,
                    pattern,
                    "key characters a-z A-Z 0-9 ! _ . * ' ( ) / - with at"
                            + " least one of the placeholders {yyyy} {MM} {dd} {HH} {mm}");
        }
        return buckets;
    }
}
