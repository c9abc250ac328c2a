package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/**
 * Options of {@link SageMakerAsyncResultSource}. AWS access is configured with {@link
 * io.github.flinksagemaker.connector.aws.AwsConfigOptions}, shared with the submit side.
 */
@PublicEvolving
public final class WatchOptions {

    /**
     * The endpoint's S3OutputPath, named as the one-call API's {@code outputPath} and the submit
     * side's {@code sagemaker.output-path-extension} name it.
     */
    public static final ConfigOption<String> OUTPUT_PATH =
            ConfigOptions.key("sagemaker.output-path")
                    .stringType()
                    .noDefaultValue()
                    .withDeprecatedKeys("sagemaker.watch.output-prefix")
                    .withDescription(
                            "s3://bucket/prefix, the endpoint's S3OutputPath. Objects found there"
                                    + " are emitted with status SUCCESS. At least one of the two"
                                    + " paths is required. Formerly"
                                    + " sagemaker.watch.output-prefix, still read.");

    /** The endpoint's S3FailurePath. */
    public static final ConfigOption<String> FAILURE_PATH =
            ConfigOptions.key("sagemaker.failure-path")
                    .stringType()
                    .noDefaultValue()
                    .withDeprecatedKeys("sagemaker.watch.failure-prefix")
                    .withDescription(
                            "s3://bucket/prefix, the endpoint's S3FailurePath. Objects found"
                                    + " there are emitted with status MODEL_ERROR. Formerly"
                                    + " sagemaker.watch.failure-prefix, still read.");

    /**
     * @deprecated use {@link #OUTPUT_PATH}, the same option
     */
    @Deprecated public static final ConfigOption<String> OUTPUT_PREFIX = OUTPUT_PATH;

    /**
     * @deprecated use {@link #FAILURE_PATH}, the same option
     */
    @Deprecated public static final ConfigOption<String> FAILURE_PREFIX = FAILURE_PATH;

    public static final ConfigOption<String> TIME_BUCKETS =
            ConfigOptions.key("sagemaker.watch.time-buckets")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The submit side's sagemaker.output-path-extension, e.g."
                                    + " results/{yyyy}/{MM}/{dd}/{HH}/{mm}. When set, discoveries"
                                    + " list only the time buckets that can still receive"
                                    + " results, so their cost does not grow with history; minute"
                                    + " buckets ({mm}) keep the recent buckets, listed at every"
                                    + " discovery, small. When not set, each discovery lists the"
                                    + " whole prefix.");

    public static final ConfigOption<Duration> BUCKET_LIFETIME =
            ConfigOptions.key("sagemaker.watch.bucket-lifetime")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(380))
                    .withDescription(
                            "How long after its period a time bucket is still listed: at least the"
                                    + " submit side's RequestTTL + InvocationTimeout (service"
                                    + " defaults 6 h + 15 min) plus upload time.");

    public static final ConfigOption<Duration> RECENT_BUCKET_MARGIN =
            ConfigOptions.key("sagemaker.watch.recent-bucket-margin")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "With time buckets: a bucket is listed at every discovery from this"
                                    + " long before its period starts until this long after it"
                                    + " ends, while most of its results arrive; cover the usual"
                                    + " submit-to-result time. Other open buckets are listed every"
                                    + " sagemaker.watch.older-bucket-interval. Every discovery"
                                    + " lists all keys of the recent buckets, so a longer margin"
                                    + " finds more late results quickly but costs more LIST"
                                    + " requests.");

    public static final ConfigOption<Duration> OLDER_BUCKET_INTERVAL =
            ConfigOptions.key("sagemaker.watch.older-bucket-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "With time buckets: how often each open bucket outside the recent"
                                    + " margin is listed. A result that arrives after its"
                                    + " bucket's margin is discovered up to this much later; in"
                                    + " exchange the older buckets, which hold most keys of the"
                                    + " result window, are listed this often instead of at every"
                                    + " discovery. A bounded watch lists every bucket at every"
                                    + " discovery.");

    public static final ConfigOption<Duration> LOOKBACK =
            ConfigOptions.key("sagemaker.watch.lookback")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Without time buckets: keys are remembered until their last-modified"
                                    + " time is this far behind the newest one seen, and older"
                                    + " objects are skipped. Must exceed the time between an"
                                    + " object's last-modified time and its appearance in a"
                                    + " listing (long multipart uploads).");

    public static final ConfigOption<Duration> DISCOVERY_INTERVAL =
            ConfigOptions.key("sagemaker.watch.discovery-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Time from the end of one listing to the start of the next, so a"
                                    + " listing slower than this is never followed by missed"
                                    + " ones back to back.");

    public static final ConfigOption<StartFrom> START_FROM =
            ConfigOptions.key("sagemaker.watch.start-from")
                    .enumType(StartFrom.class)
                    .defaultValue(StartFrom.EARLIEST)
                    .withDescription(
                            "Where a job without state starts: EARLIEST emits every object"
                                    + " already there; NOW only objects modified after the start"
                                    + " (minus the lookback).");

    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("sagemaker.watch.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Finish once a listing finds nothing new and every object found is"
                                    + " emitted, instead of watching forever.");

    public static final ConfigOption<MemorySize> MAX_CONTENT_BYTES =
            ConfigOptions.key("sagemaker.watch.max-content-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(10))
                    .withDescription(
                            "Objects up to this size (e.g. '10 mb'; a plain number is bytes) are"
                                    + " read and emitted with their content; larger ones are"
                                    + " emitted by location only, to be read with"
                                    + " ResultContentReader.");

    public static final ConfigOption<Integer> FETCH_CONCURRENCY =
            ConfigOptions.key("sagemaker.watch.fetch-concurrency")
                    .intType()
                    .defaultValue(32)
                    .withDescription("Objects each reader fetches in parallel.");

    public static final ConfigOption<MemorySize> MAX_BUFFERED_BYTES =
            ConfigOptions.key("sagemaker.watch.max-buffered-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(32))
                    .withDescription(
                            "Result bytes each reader may hold between starting to read objects"
                                    + " and emitting them; further reads wait. One object is"
                                    + " always allowed, so a reader holds at most this plus one"
                                    + " object of up to max-content-bytes.");

    public static final ConfigOption<Integer> SPLITS_PER_REQUEST =
            ConfigOptions.key("sagemaker.watch.splits-per-request")
                    .intType()
                    .defaultValue(64)
                    .withDescription(
                            "At most this many objects are assigned to a reader per request; a"
                                    + " reader asks again when it holds half this many or fewer,"
                                    + " so that it never waits empty for an answer.");

    public static final ConfigOption<Boolean> DELETE_CONSUMED =
            ConfigOptions.key("sagemaker.watch.delete-consumed")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Delete each object once the checkpoint that covers its emission"
                                    + " completes. Only for a prefix this source owns: every"
                                    + " object it lists is deleted, whoever wrote it. Needs"
                                    + " s3:DeleteObject. Not available in the one-call API, where"
                                    + " sagemaker.join.cleanup deletes only the job's own"
                                    + " results.");

    private WatchOptions() {}

    /** Values of {@link #START_FROM}. */
    @PublicEvolving
    public enum StartFrom {
        EARLIEST,
        NOW
    }
}
