package io.github.flinksagemaker.local;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns the {@code X-Amzn-SageMaker-*} headers and body of an {@code InvokeEndpointAsync} call into
 * an {@link AsyncInvocation}, enforcing every constraint of the service model. Messages follow the
 * service's "1 validation error detected" style and name the member at fault.
 */
final class InvocationParser {
    static final int MAX_INLINE_BODY_BYTES = 128_000;

    static final String CONTENT_TYPE = "X-Amzn-SageMaker-Content-Type";
    static final String ACCEPT = "X-Amzn-SageMaker-Accept";
    static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";
    static final String INFERENCE_ID = "X-Amzn-SageMaker-Inference-Id";
    static final String INPUT_LOCATION = "X-Amzn-SageMaker-InputLocation";
    static final String OUTPUT_PATH_EXTENSION = "X-Amzn-SageMaker-S3OutputPathExtension";
    static final String FILENAME = "X-Amzn-SageMaker-Filename";
    static final String REQUEST_TTL = "X-Amzn-SageMaker-RequestTTLSeconds";
    static final String INVOCATION_TIMEOUT = "X-Amzn-SageMaker-InvocationTimeoutSeconds";

    private static final Pattern ASCII = Pattern.compile("\\p{ASCII}*");
    private static final Pattern INFERENCE_ID_PATTERN = Pattern.compile("\\A\\S[\\p{Print}]*\\z");
    private static final Pattern INPUT_LOCATION_PATTERN =
            Pattern.compile("^(https|s3)://([^/]+)/?(.*)$");
    private static final Pattern OUTPUT_PATH_EXTENSION_PATTERN =
            Pattern.compile("^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$");
    private static final Pattern FILENAME_PATTERN =
            Pattern.compile("^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9-_\\.]*$");
    static final Pattern ENDPOINT_NAME_PATTERN = Pattern.compile("^[a-zA-Z0-9](-*[a-zA-Z0-9])*$");

    private InvocationParser() {}

    static void validateEndpointName(String endpointName) throws ServiceException {
        checkLength("endpointName", endpointName, 1, 63, false);
        checkPattern("endpointName", endpointName, ENDPOINT_NAME_PATTERN, false);
    }

    /**
     * @param headers the request's values for a header name (any case), empty when absent
     * @param body the raw request body; empty means no Body member
     */
    static AsyncInvocation parse(
            String endpointName, Function<String, List<String>> headers, byte[] body)
            throws ServiceException {
        String contentType = ascii("contentType", header(headers, CONTENT_TYPE), false);
        String accept = ascii("accept", header(headers, ACCEPT), false);
        String customAttributes =
                ascii("customAttributes", header(headers, CUSTOM_ATTRIBUTES), true);

        String inferenceId = header(headers, INFERENCE_ID);
        if (inferenceId != null) {
            checkLength("inferenceId", inferenceId, 1, 64, false);
            checkPattern("inferenceId", inferenceId, INFERENCE_ID_PATTERN, false);
        }

        String inputLocation = header(headers, INPUT_LOCATION);
        if (inputLocation != null) {
            checkLength("inputLocation", inputLocation, 1, 1024, false);
            checkPattern("inputLocation", inputLocation, INPUT_LOCATION_PATTERN, false);
        }

        String extension = header(headers, OUTPUT_PATH_EXTENSION);
        if (extension != null) {
            checkLength("s3OutputPathExtension", extension, 1, 512, false);
            checkPattern("s3OutputPathExtension", extension, OUTPUT_PATH_EXTENSION_PATTERN, false);
        }

        String filename = header(headers, FILENAME);
        if (filename != null) {
            checkLength("filename", filename, 1, 32, false);
            checkPattern("filename", filename, FILENAME_PATTERN, false);
        }

        int ttl = integer("requestTTLSeconds", header(headers, REQUEST_TTL), 60, 21_600, 21_600);
        int timeout =
                integer(
                        "invocationTimeoutSeconds",
                        header(headers, INVOCATION_TIMEOUT),
                        1,
                        3_600,
                        900);

        boolean hasBody = body.length > 0;
        if (body.length > MAX_INLINE_BODY_BYTES) {
            throw ServiceException.validation(
                    "1 validation error detected: Value at 'body' failed to satisfy constraint:"
                            + " Member must have length less than or equal to "
                            + MAX_INLINE_BODY_BYTES
                            + " (got "
                            + body.length
                            + " bytes)");
        }
        if (hasBody && inputLocation != null) {
            throw ServiceException.validation(
                    "Body and InputLocation are mutually exclusive: provide exactly one of them");
        }
        if (!hasBody && inputLocation == null) {
            throw ServiceException.validation(
                    "Either Body or InputLocation must be provided: the request has neither");
        }

        return new AsyncInvocation(
                endpointName,
                inferenceId != null ? inferenceId : UUID.randomUUID().toString(),
                hasBody ? body : null,
                inputLocation,
                contentType,
                accept,
                customAttributes,
                extension,
                filename,
                ttl,
                timeout);
    }

    private static String header(Function<String, List<String>> headers, String name) {
        List<String> values = headers.apply(name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static String ascii(String member, String value, boolean sensitive)
            throws ServiceException {
        if (value != null) {
            checkLength(member, value, 0, 1024, sensitive);
            checkPattern(member, value, ASCII, sensitive);
        }
        return value;
    }

    private static int integer(String member, String value, int min, int max, int absent)
            throws ServiceException {
        if (value == null) {
            return absent;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ServiceException.validation(
                    "1 validation error detected: Value '"
                            + value
                            + "' at '"
                            + member
                            + "' failed to satisfy constraint: Member must be an integer");
        }
        if (parsed < min) {
            throw violation(
                    member, value, false, "Member must have value greater than or equal to " + min);
        }
        if (parsed > max) {
            throw violation(
                    member, value, false, "Member must have value less than or equal to " + max);
        }
        return parsed;
    }

    private static void checkLength(
            String member, String value, int min, int max, boolean sensitive)
            throws ServiceException {
        if (value.length() < min) {
            throw violation(
                    member,
                    value,
                    sensitive,
                    "Member must have length greater than or equal to " + min);
        }
        if (value.length() > max) {
            throw violation(
                    member,
                    value,
                    sensitive,
                    "Member must have length less than or equal to " + max);
        }
    }

    private static void checkPattern(
            String member, String value, Pattern pattern, boolean sensitive)
            throws ServiceException {
        if (!pattern.matcher(value).matches()) {
            throw violation(
                    member,
                    value,
                    sensitive,
                    "Member must satisfy regular expression pattern: " + pattern.pattern());
        }
    }

    private static ServiceException violation(
            String member, String value, boolean sensitive, String constraint) {
        String shown = sensitive ? "" : "'" + abbreviate(value) + "' ";
        return ServiceException.validation(
                "1 validation error detected: Value "
                        + shown
                        + "at '"
                        + member
                        + "' failed to satisfy constraint: "
                        + constraint);
    }

    private static String abbreviate(String value) {
        return value.length() <= 80 ? value : value.substring(0, 77) + "...";
    }
}
