package io.github.flinksagemaker.connector.config;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/**
 * Options of the submit side. AWS access ({@code aws.region}, {@code aws.endpoint}, credentials, S3
 * endpoint and path style) is configured with {@link
 * io.github.flinksagemaker.connector.aws.AwsConfigOptions}.
 */
@PublicEvolving
public final class SubmitOptions {
    /** The service's limit for an inline {@code Body}, in bytes (decimal). */
    public static final int MAX_INLINE_BYTES = 128_000;

    public static final ConfigOption<String> ENDPOINT_NAME =
            ConfigOptions.key("sagemaker.endpoint-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Name of the SageMaker async inference endpoint. Required.");

    public static final ConfigOption<String> CONTENT_TYPE =
            ConfigOptions.key("sagemaker.content-type")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "MIME type of the payload (X-Amzn-SageMaker-Content-Type), unless the"
                                    + " request serializer sets one per element.");

    public static final ConfigOption<String> ACCEPT =
            ConfigOptions.key("sagemaker.accept")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Desired MIME type of the model's output.");

    public static final ConfigOption<String> CUSTOM_ATTRIBUTES =
            ConfigOptions.key("sagemaker.custom-attributes")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Opaque information forwarded to the model container (≤ 1024 ASCII"
                                    + " characters). Treated as sensitive: never logged.");

    public static final ConfigOption<Duration> REQUEST_TTL =
            ConfigOptions.key("sagemaker.request-ttl")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How long a request may wait in the endpoint's queue (whole seconds,"
                                    + " 60 s to 6 h). Default: not sent, the service uses 6 h.");

    public static final ConfigOption<Duration> INVOCATION_TIMEOUT =
            ConfigOptions.key("sagemaker.invocation-timeout")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How long the model may take once started (whole seconds, 1 s to"
                                    + " 1 h). Default: not sent, the service uses 15 min.");

    public static final ConfigOption<MemorySize> INLINE_LIMIT =
            ConfigOptions.key("sagemaker.inline-limit")
                    .memoryType()
                    .defaultValue(new MemorySize(MAX_INLINE_BYTES))
                    .withDescription(
                            "Payloads of at most this size are sent inline in the request;"
                                    + " larger ones go through the S3 input prefix. 0 sends every"
                                    + " payload through S3. At most 128000 bytes (125 kb: k, m"
                                    + " and g count 1024), the service's limit; a plain number is"
                                    + " bytes.");

    public static final ConfigOption<String> S3_INPUT_PREFIX =
            ConfigOptions.key("sagemaker.s3.input-prefix")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "s3://bucket/prefix where payloads over the inline limit are uploaded"
                                    + " (key: prefix/escaped-inference-id, so a replay overwrites)."
                                    + " Without it, such elements are rejected.");

    public static final ConfigOption<InputEncryption> S3_INPUT_ENCRYPTION =
            ConfigOptions.key("sagemaker.s3.input-encryption")
                    .enumType(InputEncryption.class)
                    .defaultValue(InputEncryption.BUCKET_DEFAULT)
                    .withDescription("Server-side encryption of uploaded payloads.");

    public static final ConfigOption<String> S3_INPUT_KMS_KEY_ID =
            ConfigOptions.key("sagemaker.s3.input-kms-key-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "KMS key ID or ARN for SSE_KMS uploads. Default: the AWS managed key.");

    public static final ConfigOption<Boolean> OUTPUT_FILENAME =
            ConfigOptions.key("sagemaker.output-filename")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Send a Filename derived from the inference ID (28 hex characters of"
                                    + " its SHA-256 plus .out) so output keys are predictable."
                                    + " Results are matched by the returned locations either way.");

    public static final ConfigOption<String> OUTPUT_PATH_EXTENSION =
            ConfigOptions.key("sagemaker.output-path-extension")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "S3OutputPathExtension appended to the endpoint's output path. May"
                                    + " contain {yyyy}, {MM}, {dd} and {HH}, filled from the"
                                    + " submit time in UTC, to bucket results by time. The"
                                    + " one-call API uses results/{yyyy}/{MM}/{dd}/{HH} when not"
                                    + " set.");

    public static final ConfigOption<Integer> CAPACITY =
            ConfigOptions.key("sagemaker.submit.capacity")
                    .intType()
                    .defaultValue(128)
                    .withDescription(
                            "Maximum submissions in flight per subtask (AsyncDataStream capacity)."
                                    + " Also the default HTTP connection limit.");

    public static final ConfigOption<Duration> SUBMIT_TIMEOUT =
            ConfigOptions.key("sagemaker.submit.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Time for one element's submission, upload, retries and waiting"
                                    + " for a call slot under throttling included (AsyncDataStream"
                                    + " timeout). An element still failing by then is handled per"
                                    + " sagemaker.submit.failure-handling.");

    public static final ConfigOption<FailureHandling> FAILURE_HANDLING =
            ConfigOptions.key("sagemaker.submit.failure-handling")
                    .enumType(FailureHandling.class)
                    .defaultValue(FailureHandling.REJECT)
                    .withDescription(
                            "What an element that cannot be submitted becomes: REJECT emits a"
                                    + " rejected record with the reason; FAIL fails the job.");

    public static final ConfigOption<Integer> RETRY_MAX_ATTEMPTS =
            ConfigOptions.key("sagemaker.retry.max-attempts")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Attempts per call, the first included, for throttling (429), 5xx"
                                    + " and network errors. Default: no limit; a call is retried"
                                    + " until its element's sagemaker.submit.timeout runs out."
                                    + " ValidationError is never retried.");

    public static final ConfigOption<Duration> RETRY_BASE_DELAY =
            ConfigOptions.key("sagemaker.retry.base-delay")
                    .durationType()
                    .defaultValue(Duration.ofMillis(100))
                    .withDescription(
                            "Base of the exponential backoff with full jitter between attempts.");

    public static final ConfigOption<Duration> RETRY_MAX_DELAY =
            ConfigOptions.key("sagemaker.retry.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(20))
                    .withDescription("Upper bound of one backoff delay.");

    public static final ConfigOption<Duration> RESULT_GRACE =
            ConfigOptions.key("sagemaker.result.deadline-grace")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Added to RequestTTL + InvocationTimeout to give each pending"
                                    + " inference its deadline, after which it is TIMED_OUT.");

    public static final ConfigOption<Duration> RESULT_TIMEOUT =
            ConfigOptions.key("sagemaker.result.timeout")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Time from submit to deadline, replacing RequestTTL +"
                                    + " InvocationTimeout + grace: a result not arrived by then is"
                                    + " TIMED_OUT and its late output dropped.");

    private SubmitOptions() {}

    /** Values of {@link #S3_INPUT_ENCRYPTION}. */
    @PublicEvolving
    public enum InputEncryption {
        /** Send no encryption header: the bucket's default encryption applies. */
        BUCKET_DEFAULT,
        /** SSE-S3 (AES256). */
        SSE_S3,
        /** SSE-KMS, with {@link #S3_INPUT_KMS_KEY_ID} or the AWS managed key. */
        SSE_KMS
    }

    /** Values of {@link #FAILURE_HANDLING}. */
    @PublicEvolving
    public enum FailureHandling {
        REJECT,
        FAIL
    }
}
