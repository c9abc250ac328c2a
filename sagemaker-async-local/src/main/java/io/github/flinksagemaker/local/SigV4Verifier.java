package io.github.flinksagemaker.local;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an AWS Signature Version 4 {@code Authorization} header the way AWS does: credential scope
 * (access key, region, service), time skew, and the signature itself over the canonical request,
 * with the payload hash recomputed from the body received.
 */
final class SigV4Verifier {
    private static final Pattern AUTHORIZATION =
            Pattern.compile(
                    "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)"
                            + "/aws4_request,\\s*SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final HexFormat HEX = HexFormat.of();

    private final String accessKeyId;
    private final byte[] secretKey;
    private final String region;
    private final String service;
    private final Clock clock;

    SigV4Verifier(
            String accessKeyId,
            String secretAccessKey,
            String region,
            String service,
            Clock clock) {
        this.accessKeyId = accessKeyId;
        this.secretKey = ("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8);
        this.region = region;
        this.service = service;
        this.clock = clock;
    }

    /**
     * @param headers the request's values for a header name (any case), empty when absent
     */
    void verify(
            String method,
            String rawPath,
            String rawQuery,
            Function<String, List<String>> headers,
            byte[] body)
            throws ServiceException {
        List<String> authorization = headers.apply("Authorization");
        if (authorization.isEmpty()) {
            throw new ServiceException(
                    403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher auth = AUTHORIZATION.matcher(authorization.get(0));
        if (!auth.matches()) {
            throw new ServiceException(
                    403,
                    "IncompleteSignatureException",
                    "Authorization header is not a valid AWS Signature Version 4 header");
        }
        String keyId = auth.group(1);
        String scopeDate = auth.group(2);
        String scopeRegion = auth.group(3);
        String scopeService = auth.group(4);
        List<String> signedHeaders = Arrays.asList(auth.group(5).split(";"));
        if (!keyId.equals(accessKeyId)) {
            throw new ServiceException(
                    403,
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
        }
        if (!scopeService.equals(service)) {
            throw invalidSignature(
                    "Credential should be scoped to correct service: '" + service + "'.");
        }
        if (!scopeRegion.equals(region)) {
            throw invalidSignature(
                    "Credential should be scoped to a valid region, not '"
                            + scopeRegion
                            + "'. This endpoint serves '"
                            + region
                            + "'.");
        }
        String amzDate = first(headers, "X-Amz-Date");
        Instant signedAt = parseAmzDate(amzDate);
        if (Duration.between(signedAt, clock.instant()).abs().compareTo(MAX_SKEW) > 0) {
            throw invalidSignature("Signature expired: " + amzDate + " is too far from now.");
        }
        if (!amzDate.startsWith(scopeDate)) {
            throw invalidSignature("Credential date does not match X-Amz-Date " + amzDate);
        }
        if (!signedHeaders.contains("host")) {
            throw invalidSignature("The host header must be signed.");
        }

        String canonicalRequest =
                method
                        + '\n'
                        + canonicalPath(rawPath)
                        + '\n'
                        + canonicalQuery(rawQuery)
                        + '\n'
                        + canonicalHeaders(signedHeaders, headers)
                        + '\n'
                        + String.join(";", signedHeaders)
                        + '\n'
                        + payloadHash(headers, body);
        String scope = scopeDate + '/' + scopeRegion + '/' + scopeService + "/aws4_request";
        String stringToSign =
                "AWS4-HMAC-SHA256\n"
                        + amzDate
                        + '\n'
                        + scope
                        + '\n'
                        + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] signingKey =
                hmac(
                        hmac(hmac(hmac(secretKey, scopeDate), scopeRegion), scopeService),
                        "aws4_request");
        String expected = HEX.formatHex(hmac(signingKey, stringToSign));
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII),
                auth.group(6).getBytes(StandardCharsets.US_ASCII))) {
            throw invalidSignature(
                    "The request signature we calculated does not match the signature you"
                            + " provided. Check your AWS Secret Access Key and signing method.");
        }
    }

    private static ServiceException invalidSignature(String message) {
        return new ServiceException(403, "InvalidSignatureException", message);
    }

    private static String first(Function<String, List<String>> headers, String name)
            throws ServiceException {
        List<String> values = headers.apply(name);
        if (values.isEmpty()) {
            throw new ServiceException(
                    403, "IncompleteSignatureException", "The request has no " + name + " header");
        }
        return values.get(0);
    }

    private static Instant parseAmzDate(String amzDate) throws ServiceException {
        try {
            return AMZ_DATE.parse(amzDate, Instant::from);
        } catch (DateTimeParseException e) {
            throw invalidSignature("X-Amz-Date is not in yyyyMMdd'T'HHmmss'Z' form: " + amzDate);
        }
    }

    /** Services other than S3 sign the path URI-encoded once more. */
    private static String canonicalPath(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (byte b : rawPath.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~'
                    || c == '/') {
                out.append(c);
            } else {
                out.append('%').append(HEX.toHexDigits((byte) c).toUpperCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String> pairs = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            pairs.add(pair.contains("=") ? pair : pair + "=");
        }
        pairs.sort(null);
        return String.join("&", pairs);
    }

    private static String canonicalHeaders(
            List<String> signedHeaders, Function<String, List<String>> headers)
            throws ServiceException {
        StringBuilder out = new StringBuilder();
        for (String name : signedHeaders) {
            List<String> values = headers.apply(name);
            if (values.isEmpty()) {
                throw invalidSignature("Signed header '" + name + "' is missing from the request.");
            }
            List<String> trimmed = new ArrayList<>(values.size());
            for (String value : values) {
                trimmed.add(value.trim().replaceAll(" +", " "));
            }
            out.append(name).append(':').append(String.join(",", trimmed)).append('\n');
        }
        return out.toString();
    }

    private static String payloadHash(Function<String, List<String>> headers, byte[] body) {
        List<String> declared = headers.apply("X-Amz-Content-Sha256");
        if (!declared.isEmpty() && declared.get(0).equals("UNSIGNED-PAYLOAD")) {
            return "UNSIGNED-PAYLOAD";
        }
        return HEX.formatHex(sha256(body));
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JVM has SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("Every JVM has HmacSHA256", e);
        }
    }
}
