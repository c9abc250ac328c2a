package io.github.flinksagemaker.connector.notification;

import io.github.flinksagemaker.connector.completion.ResultStatus;
import io.github.flinksagemaker.connector.s3.S3Location;

import org.apache.flink.annotation.Internal;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Reads a SageMaker async notification from an SQS message body: the SageMaker JSON itself (raw
 * message delivery) or an SNS envelope whose {@code Message} holds it. Defensive where the service
 * documents little: {@code responseBody} is used only when it is BASE64 content that decodes,
 * otherwise the output is read from its location. A location that is not an s3:// URI makes the
 * message unparseable, included response or not: the join and its cleanup parse it later, where one
 * bad message would fail the job on every redelivery.
 */
@Internal
public final class NotificationParser {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern WHITESPACE = Pattern.compile("\\s");

    private NotificationParser() {}

    /**
     * @return the notification; its event time is {@link CompletionNotification#UNKNOWN_EVENT_TIME}
     *     when the message has no {@code eventTime} or one that is not an instant: the reader
     *     decides what stands in for it, never this parser
     * @throws UnparseableNotificationException saying why the body is not a notification
     */
    public static CompletionNotification parse(String body)
            throws UnparseableNotificationException {
        JsonNode event = unwrapEnvelope(readObject(body, "the message body"));
        String inferenceId = text(event, "inferenceId");
        if (inferenceId == null || inferenceId.isEmpty()) {
            throw new UnparseableNotificationException("no inferenceId");
        }
        String invocationStatus = text(event, "invocationStatus");
        ResultStatus status;
        if ("Completed".equalsIgnoreCase(invocationStatus)) {
            status = ResultStatus.SUCCESS;
        } else if ("Failed".equalsIgnoreCase(invocationStatus)) {
            status = ResultStatus.MODEL_ERROR;
        } else {
            throw new UnparseableNotificationException(
                    "invocationStatus '" + invocationStatus + "' is neither Completed nor Failed");
        }
        JsonNode response = event.path("responseParameters");
        String endpointName = text(event.path("requestParameters"), "endpointName");
        long eventTime = eventTime(event);
        if (status == ResultStatus.SUCCESS) {
            String location = s3Location(response, "outputLocation");
            byte[] content = includedResponse(event.path("responseBody"));
            if (location == null && content == null) {
                throw new UnparseableNotificationException(
                        "a Completed notification with neither outputLocation nor a response");
            }
            return new CompletionNotification(
                    inferenceId,
                    endpointName,
                    status,
                    location,
                    content,
                    text(response, "contentType"),
                    eventTime);
        }
        // The failure object holds the model's own error text, as in listing mode; the message's
        // failureReason is the service's summary, used only when no location is named.
        String location = s3Location(response, "failureLocation");
        String reason = text(event, "failureReason");
        return new CompletionNotification(
                inferenceId,
                endpointName,
                status,
                location,
                location == null
                        ? (reason != null ? reason : "no failureReason in the notification")
                                .getBytes(StandardCharsets.UTF_8)
                        : null,
                location == null ? "text/plain; charset=utf-8" : null,
                eventTime);
    }

    private static JsonNode unwrapEnvelope(JsonNode body) throws UnparseableNotificationException {
        if (body.has("inferenceId")) {
            return body;
        }
        JsonNode message = body.get("Message");
        if ("Notification".equals(text(body, "Type")) && message != null && message.isTextual()) {
            return readObject(message.asText(), "the SNS envelope's Message");
        }
        throw new UnparseableNotificationException(
                "neither a SageMaker notification nor an SNS envelope of one");
    }

    private static JsonNode readObject(String json, String what)
            throws UnparseableNotificationException {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new UnparseableNotificationException(what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new UnparseableNotificationException(what + " is not JSON");
        }
    }

    /** The field's s3:// URI, or null when the field is absent. */
    private static String s3Location(JsonNode response, String field)
            throws UnparseableNotificationException {
        String location = text(response, field);
        if (location != null) {
            try {
                S3Location.parse(location, field);
            } catch (IllegalArgumentException e) {
                throw new UnparseableNotificationException(e.getMessage());
            }
        }
        return location;
    }

    /** The included response, or null when absent, in another encoding, or not decodable. */
    private static byte[] includedResponse(JsonNode responseBody) {
        String content = text(responseBody, "content");
        if (content == null || !"BASE64".equalsIgnoreCase(text(responseBody, "encoding"))) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(WHITESPACE.matcher(content).replaceAll(""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static long eventTime(JsonNode event) {
        String time = text(event, "eventTime");
        if (time == null) {
            return CompletionNotification.UNKNOWN_EVENT_TIME;
        }
        try {
            return Instant.parse(time).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            // ArithmeticException: a valid Instant beyond what epoch milliseconds hold.
            return CompletionNotification.UNKNOWN_EVENT_TIME;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
