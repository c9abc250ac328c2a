package io.github.flinksagemaker.connector.notification;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** SageMaker async notifications as message bodies, for the tests of the notification source. */
public final class Notifications {
    /** The {@code eventTime} every {@link #notification} carries. */
    public static final String EVENT_TIME = "2026-11-29T20:10:11.123Z";

    private Notifications() {}

    /**
     * A success notification of {@code endpoint} for inference {@code id}, with its output at
     * {@code s3://bucket/out/<id>.out}.
     *
     * @param includedResponse the response it carries, or null when it must be read from S3
     */
    public static String notification(String id, String endpoint, String includedResponse) {
        return "{\"invocationStatus\":\"Completed\",\"inferenceId\":\""
                + id
                + "\",\"eventTime\":\""
                + EVENT_TIME
                + "\",\"requestParameters\":{\"endpointName\":\""
                + endpoint
                + "\"},\"responseParameters\":{\"contentType\":\"application/json\","
                + "\"outputLocation\":\"s3://bucket/out/"
                + id
                + ".out\"}"
                + (includedResponse != null
                        ? ",\"responseBody\":{\"encoding\":\"BASE64\",\"content\":\""
                                + Base64.getEncoder()
                                        .encodeToString(
                                                includedResponse.getBytes(StandardCharsets.UTF_8))
                                + "\"}"
                        : "")
                + "}";
    }

    /** The same notification without its {@code eventTime}. */
    public static String withoutEventTime(String notification) {
        String withoutTime = notification.replace("\"eventTime\":\"" + EVENT_TIME + "\",", "");
        assertThat(withoutTime).isNotEqualTo(notification);
        return withoutTime;
    }
}
