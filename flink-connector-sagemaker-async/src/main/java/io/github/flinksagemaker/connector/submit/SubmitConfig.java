package io.github.flinksagemaker.connector.submit;

import io.github.flinksagemaker.connector.aws.AwsClients;
import io.github.flinksagemaker.connector.aws.AwsConfigOptions;
import io.github.flinksagemaker.connector.config.ConnectorOptions;
import io.github.flinksagemaker.connector.config.OptionChecks;
import io.github.flinksagemaker.connector.config.SubmitOptions.FailureHandling;
import io.github.flinksagemaker.connector.config.SubmitOptions.InputEncryption;
import io.github.flinksagemaker.connector.config.WatchOptions;
import io.github.flinksagemaker.connector.s3.S3Location;
import io.github.flinksagemaker.connector.s3.TimeBucketPattern;
import io.github.flinksagemaker.connector.sagemaker.RetrySettings;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.time.Duration;
import java.util.regex.Pattern;

import static io.github.flinksagemaker.connector.config.SubmitOptions.ACCEPT;
import static io.github.flinksagemaker.connector.config.SubmitOptions.CAPACITY;
import static io.github.flinksagemaker.connector.config.SubmitOptions.CONTENT_TYPE;
import static io.github.flinksagemaker.connector.config.SubmitOptions.CUSTOM_ATTRIBUTES;
import static io.github.flinksagemaker.connector.config.SubmitOptions.ENDPOINT_NAME;
import static io.github.flinksagemaker.connector.config.SubmitOptions.FAILURE_HANDLING;
import static io.github.flinksagemaker.connector.config.SubmitOptions.INLINE_LIMIT;
import static io.github.flinksagemaker.connector.config.SubmitOptions.INVOCATION_TIMEOUT;
import static io.github.flinksagemaker.connector.config.SubmitOptions.MAX_INLINE_BYTES;
import static io.github.flinksagemaker.connector.config.SubmitOptions.OUTPUT_FILENAME;
import static io.github.flinksagemaker.connector.config.SubmitOptions.OUTPUT_PATH_EXTENSION;
import static io.github.flinksagemaker.connector.config.SubmitOptions.REQUEST_TTL;
import static io.github.flinksagemaker.connector.config.SubmitOptions.RESULT_GRACE;
import static io.github.flinksagemaker.connector.config.SubmitOptions.RESULT_TIMEOUT;
import static io.github.flinksagemaker.connector.config.SubmitOptions.RETRY_BASE_DELAY;
import static io.github.flinksagemaker.connector.config.SubmitOptions.RETRY_MAX_ATTEMPTS;
import static io.github.flinksagemaker.connector.config.SubmitOptions.RETRY_MAX_DELAY;
import static io.github.flinksagemaker.connector.config.SubmitOptions.S3_INPUT_ENCRYPTION;
import static io.github.flinksagemaker.connector.config.SubmitOptions.S3_INPUT_KMS_KEY_ID;
import static io.github.flinksagemaker.connector.config.SubmitOptions.S3_INPUT_PREFIX;
import static io.github.flinksagemaker.connector.config.SubmitOptions.SUBMIT_TIMEOUT;

/**
 * The submit side's configuration, validated once where the job is built: every error names the
 * option and what it allows. Keeps the whole {@link Configuration} for the {@code aws.*} options
 * the clients are built from in the task.
 */
@Internal
public final class SubmitConfig implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SubmitConfig.class);

    private static final Pattern ENDPOINT_NAME_PATTERN =
            Pattern.compile("[a-zA-Z0-9](-*[a-zA-Z0-9])*");
    private static final Pattern ASCII = Pattern.compile("\\p{ASCII}*");
    private static final Pattern OUTPUT_PATH_EXTENSION_PATTERN =
            Pattern.compile("(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+");
    private static final int DEFAULT_TTL_SECONDS = 21_600;
    private static final int DEFAULT_INVOCATION_TIMEOUT_SECONDS = 900;

    private final Configuration configuration;
    private final String endpointName;
    private final String contentType;
    private final String accept;
    private final String customAttributes;
    private final Integer requestTtlSeconds;
    private final Integer invocationTimeoutSeconds;
    private final int inlineLimit;
    private final S3Location inputPrefix;
    private final InputEncryption inputEncryption;
    private final String inputKmsKeyId;
    private final boolean outputFilename;
    private final TimeBucketPattern outputPathExtension;
    private final int capacity;
    private final Duration submitTimeout;
    private final FailureHandling failureHandling;
    private final RetrySettings retrySettings;
    private final Duration resultGrace;
    private final Duration resultTimeout;

    /** The endpoint's S3OutputPath when known (the one-call API's output path), else null. */
    private final S3Location outputPath;

    private SubmitConfig(Configuration configuration) {
        this.configuration = new Configuration(configuration);
        ConnectorOptions.rejectUnknownKeys(configuration);
        AwsClients.validate(configuration);
        this.outputPath =
                configuration
                        .getOptional(WatchOptions.OUTPUT_PATH)
                        .map(
                                p ->
                                        S3Location.parse(
                                                p,
                                                "Option '"
                                                        + OptionChecks.usedKey(
                                                                configuration,
                                                                WatchOptions.OUTPUT_PATH)
                                                        + "'"))
                        .orElse(null);
        this.endpointName = OptionChecks.required(configuration, ENDPOINT_NAME);
        if (endpointName.length() > 63 || !ENDPOINT_NAME_PATTERN.matcher(endpointName).matches()) {
            throw OptionChecks.invalid(
                    ENDPOINT_NAME,
                    endpointName,
                    "1-63 letters, digits and single hyphens, starting and ending with a letter"
                            + " or digit");
        }
        this.contentType = checkedContentType(configuration);
        this.accept = checkedAccept(configuration);
        this.customAttributes = ascii(configuration, CUSTOM_ATTRIBUTES);
        this.requestTtlSeconds = checkedRequestTtlSeconds(configuration);
        this.invocationTimeoutSeconds = checkedInvocationTimeoutSeconds(configuration);
        this.inlineLimit =
                (int) OptionChecks.bytesBetween(configuration, INLINE_LIMIT, 0, MAX_INLINE_BYTES);
        this.inputPrefix =
                configuration
                        .getOptional(S3_INPUT_PREFIX)
                        .map(p -> S3Location.parse(p, "Option '" + S3_INPUT_PREFIX.key() + "'"))
                        .orElse(null);
        this.inputEncryption = OptionChecks.get(configuration, S3_INPUT_ENCRYPTION);
        this.inputKmsKeyId = configuration.getOptional(S3_INPUT_KMS_KEY_ID).orElse(null);
        if (inputKmsKeyId != null && inputEncryption != InputEncryption.SSE_KMS) {
            throw new IllegalArgumentException(
                    "Option '"
                            + S3_INPUT_KMS_KEY_ID.key()
                            + "' needs '"
                            + S3_INPUT_ENCRYPTION.key()
                            + "' = SSE_KMS, but it is "
                            + inputEncryption);
        }
        this.outputFilename = OptionChecks.get(configuration, OUTPUT_FILENAME);
        this.outputPathExtension =
                configuration
                        .getOptional(OUTPUT_PATH_EXTENSION)
                        .map(SubmitConfig::outputPathExtension)
                        .orElse(null);
        this.capacity = checkedCapacity(configuration);
        raiseHttpConcurrencyToCapacity(this.configuration, capacity);
        this.submitTimeout = checkedSubmitTimeout(configuration);
        this.failureHandling = OptionChecks.get(configuration, FAILURE_HANDLING);
        int maxAttempts =
                configuration.contains(RETRY_MAX_ATTEMPTS)
                        ? OptionChecks.atLeast(configuration, RETRY_MAX_ATTEMPTS, 1)
                        : Integer.MAX_VALUE;
        Duration baseDelay = OptionChecks.positive(configuration, RETRY_BASE_DELAY);
        Duration maxDelay = OptionChecks.positive(configuration, RETRY_MAX_DELAY);
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw OptionChecks.invalid(
                    RETRY_MAX_DELAY,
                    maxDelay,
                    "durations of at least '" + RETRY_BASE_DELAY.key() + "' (" + baseDelay + ")");
        }
        this.retrySettings = new RetrySettings(maxAttempts, baseDelay, maxDelay);
        this.resultGrace = OptionChecks.notNegative(configuration, RESULT_GRACE);
        this.resultTimeout =
                configuration.getOptional(RESULT_TIMEOUT).isPresent()
                        ? OptionChecks.positive(configuration, RESULT_TIMEOUT)
                        : null;
    }

    /**
     * Validates {@code configuration}.
     *
     * @throws IllegalArgumentException naming the first option that is missing or invalid
     */
    public static SubmitConfig from(Configuration configuration) {
        return new SubmitConfig(configuration);
    }

    public Configuration configuration() {
        return new Configuration(configuration);
    }

    // The checks of single options that from() runs, also for builders that check a value where
    // it is set: one rule per option, whichever way it arrives.

    /** {@code sagemaker.content-type}: null when unset, else at most 1024 ASCII characters. */
    public static String checkedContentType(Configuration configuration) {
        return ascii(configuration, CONTENT_TYPE);
    }

    /** {@code sagemaker.accept}: null when unset, else at most 1024 ASCII characters. */
    public static String checkedAccept(Configuration configuration) {
        return ascii(configuration, ACCEPT);
    }

    /** {@code sagemaker.request-ttl}: null when unset, else whole seconds from 60 to 21,600. */
    public static Integer checkedRequestTtlSeconds(Configuration configuration) {
        return seconds(configuration, REQUEST_TTL, 60, 21_600);
    }

    /**
     * {@code sagemaker.invocation-timeout}: null when unset, else whole seconds from 1 to 3,600.
     */
    public static Integer checkedInvocationTimeoutSeconds(Configuration configuration) {
        return seconds(configuration, INVOCATION_TIMEOUT, 1, 3_600);
    }

    /** {@code sagemaker.submit.capacity}: at least 1. */
    public static int checkedCapacity(Configuration configuration) {
        return OptionChecks.atLeast(configuration, CAPACITY, 1);
    }

    /** {@code sagemaker.submit.timeout}: positive. */
    public static Duration checkedSubmitTimeout(Configuration configuration) {
        return OptionChecks.positive(configuration, SUBMIT_TIMEOUT);
    }

    public String endpointName() {
        return endpointName;
    }

    public String contentType() {
        return contentType;
    }

    public String accept() {
        return accept;
    }

    public String customAttributes() {
        return customAttributes;
    }

    public Integer requestTtlSeconds() {
        return requestTtlSeconds;
    }

    public Integer invocationTimeoutSeconds() {
        return invocationTimeoutSeconds;
    }

    public int inlineLimit() {
        return inlineLimit;
    }

    public S3Location inputPrefix() {
        return inputPrefix;
    }

    public InputEncryption inputEncryption() {
        return inputEncryption;
    }

    public String inputKmsKeyId() {
        return inputKmsKeyId;
    }

    public boolean outputFilename() {
        return outputFilename;
    }

    /**
     * Where the service will write the output of an inference submitted at {@code
     * submitTimeMillis}, when that is known before it answers: with {@code
     * sagemaker.output-filename} the output is S3OutputPath[/S3OutputPathExtension]/Filename. Null
     * when the output path is not configured or the service names the output.
     */
    public String expectedOutputLocation(String inferenceId, long submitTimeMillis) {
        return expectedOutputLocationNamed(InferenceIds.filename(inferenceId), submitTimeMillis);
    }

    /** Like {@link #expectedOutputLocation}, for an output sent with this Filename. */
    public String expectedOutputLocationNamed(String filename, long submitTimeMillis) {
        if (outputPath == null || !outputFilename) {
            return null;
        }
        String extension = outputPathExtension(submitTimeMillis);
        S3Location directory = extension == null ? outputPath : outputPath.child(extension);
        return directory.child(filename).toString();
    }

    /**
     * Calls beyond the HTTP client's connections wait for one and fail after the acquire timeout,
     * although the submit capacity let them in: the clients get at least one connection per call in
     * flight, and the user is told.
     */
    private static void raiseHttpConcurrencyToCapacity(Configuration configuration, int capacity) {
        configuration
                .getOptional(AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY)
                .filter(max -> max < capacity)
                .ifPresent(
                        max -> {
                            LOG.warn(
                                    "Option '{}' = {} is below '{}' = {}: the submit clients use"
                                            + " {} connections, one per call in flight, so that no"
                                            + " call waits for a connection and times out",
                                    AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY.key(),
                                    max,
                                    CAPACITY.key(),
                                    capacity,
                                    capacity);
                            configuration.set(
                                    AwsConfigOptions.HTTP_CLIENT_MAX_CONCURRENCY, capacity);
                        });
    }

    /** The S3OutputPathExtension for a submit time, or null when none is configured. */
    public String outputPathExtension(long submitTimeMillis) {
        return outputPathExtension == null ? null : outputPathExtension.render(submitTimeMillis);
    }

    public int capacity() {
        return capacity;
    }

    public Duration submitTimeout() {
        return submitTimeout;
    }

    public FailureHandling failureHandling() {
        return failureHandling;
    }

    public RetrySettings retrySettings() {
        return retrySettings;
    }

    /**
     * Submit time to deadline: the result timeout if set, else RequestTTL + InvocationTimeout
     * (service defaults when not set) + grace.
     */
    public long resultWindowMillis() {
        return resultTimeout != null ? resultTimeout.toMillis() : serviceResultWindowMillis();
    }

    /**
     * Submit time to the latest a result can be written: RequestTTL + InvocationTimeout (service
     * defaults when not set) + grace, whatever the result timeout.
     */
    public long serviceResultWindowMillis() {
        int ttl = requestTtlSeconds != null ? requestTtlSeconds : DEFAULT_TTL_SECONDS;
        int timeout =
                invocationTimeoutSeconds != null
                        ? invocationTimeoutSeconds
                        : DEFAULT_INVOCATION_TIMEOUT_SECONDS;
        return (ttl + timeout) * 1000L + resultGrace.toMillis();
    }

    private static TimeBucketPattern outputPathExtension(String pattern) {
        TimeBucketPattern extension = new TimeBucketPattern(pattern);
        String sample = extension.render(0L);
        if (sample.length() > 512 || !OUTPUT_PATH_EXTENSION_PATTERN.matcher(sample).matches()) {
            throw OptionChecks.invalid(
                    OUTPUT_PATH_EXTENSION,
                    pattern,
                    "1-512 characters of a-z A-Z 0-9 ! _ . * ' ( ) / - and the placeholders"
                            + " {yyyy} {MM} {dd} {HH}, not starting with s3: or https:");
        }
        return extension;
    }

    private static String ascii(Configuration configuration, ConfigOption<String> option) {
        String value = configuration.get(option);
        if (value != null && (value.length() > 1024 || !ASCII.matcher(value).matches())) {
            // The value itself may be sensitive (custom attributes): name the option only.
            throw new IllegalArgumentException(
                    "Option '" + option.key() + "' must be at most 1024 ASCII characters");
        }
        return value;
    }

    private static Integer seconds(
            Configuration configuration, ConfigOption<Duration> option, int min, int max) {
        if (!configuration.contains(option)) {
            return null;
        }
        Duration value = OptionChecks.get(configuration, option);
        if (value.toNanos() % 1_000_000_000L != 0
                || value.getSeconds() < min
                || value.getSeconds() > max) {
            throw OptionChecks.invalid(
                    option, value.toString(), "whole seconds from " + min + " to " + max);
        }
        return (int) value.getSeconds();
    }
}
