package io.github.flinksagemaker.connector.notification;

import io.github.flinksagemaker.connector.completion.ResultStatus;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The message formats of the API reference, raw and in SNS envelopes, read defensively. */
class NotificationParserTest {

    static String success(String responseBody) {
        return "{\"awsRegion\":\"us-east-1\",\"eventTime\":\"2026-11-29T20:10:11.123Z\","
                + "\"receivedTime\":\"2026-11-29T20:10:10.000Z\",\"invocationStatus\":\"Completed\","
                + "\"requestParameters\":{\"contentType\":\"application/json\","
                + "\"endpointName\":\"reviews\"},"
                + "\"responseParameters\":{\"contentType\":\"application/json\","
                + "\"outputLocation\":\"s3://bucket/out/abc.out\"},"
                + (responseBody != null ? "\"responseBody\":" + responseBody + "," : "")
                + "\"inferenceId\":\"id-1\",\"eventVersion\":\"1.0\","
                + "\"eventSource\":\"aws:sagemaker\",\"eventName\":\"InferenceResult\"}";
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsARawSuccessWithItsIncludedResponse() throws Exception {
        CompletionNotification n =
                NotificationParser.parse(
                        success(
                                "{\"content\":\""
                                        + base64("{\"label\":\"POSITIVE\"}")
                                        + "\",\"message\":\"included\",\"encoding\":\"BASE64\"}"));

        assertThat(n.inferenceId()).isEqualTo("id-1");
        assertThat(n.endpointName()).isEqualTo("reviews");
        assertThat(n.status()).isEqualTo(ResultStatus.SUCCESS);
        assertThat(n.location()).isEqualTo("s3://bucket/out/abc.out");
        assertThat(new String(n.content(), StandardCharsets.UTF_8))
                .isEqualTo("{\"label\":\"POSITIVE\"}");
        assertThat(n.contentType()).isEqualTo("application/json");
        assertThat(n.eventTimeMillis())
                .isEqualTo(Instant.parse("2026-11-29T20:10:11.123Z").toEpochMilli());
    }

    @Test
    void fallsBackToTheOutputLocationWhenTheResponseIsMissingOrNotBase64() throws Exception {
        assertThat(NotificationParser.parse(success(null)).isContentIncluded()).isFalse();
        assertThat(
                        NotificationParser.parse(
                                        success("{\"content\":\"abc\",\"encoding\":\"UTF8\"}"))
                                .isContentIncluded())
                .isFalse();
        assertThat(
                        NotificationParser.parse(
                                        success("{\"content\":\"%%%\",\"encoding\":\"BASE64\"}"))
                                .isContentIncluded())
                .isFalse();
        assertThat(NotificationParser.parse(success("\"just text\"")).location())
                .isEqualTo("s3://bucket/out/abc.out");
    }

    @Test
    void unwrapsAnSnsEnvelope() throws Exception {
        String message = success(null).replace("\"", "\\\"");
        String envelope =
                "{\"Type\":\"Notification\",\"MessageId\":\"m-1\","
                        + "\"TopicArn\":\"arn:aws:sns:us-east-1:123456789012:success\","
                        + "\"Message\":\""
                        + message
                        + "\",\"Timestamp\":\"2026-11-29T20:10:11.200Z\","
                        + "\"SignatureVersion\":\"1\",\"Signature\":\"c2ln\"}";

        CompletionNotification n = NotificationParser.parse(envelope);

        assertThat(n.inferenceId()).isEqualTo("id-1");
        assertThat(n.location()).isEqualTo("s3://bucket/out/abc.out");
    }

    @Test
    void readsAFailureWithItsReasonAndWithoutResponseParameters() throws Exception {
        CompletionNotification n =
                NotificationParser.parse(
                        "{\"invocationStatus\":\"Failed\",\"failureReason\":\"ClientError: bad"
                                + " input\",\"inferenceId\":\"id-2\"}");

        assertThat(n.status()).isEqualTo(ResultStatus.MODEL_ERROR);
        assertThat(n.location()).isNull();
        assertThat(n.isContentIncluded()).as("no location: the reason is all there is").isTrue();
        assertThat(new String(n.content(), StandardCharsets.UTF_8))
                .isEqualTo("ClientError: bad input");
        assertThat(n.hasEventTime()).as("no eventTime").isFalse();
        assertThat(n.eventTimeMillis()).isEqualTo(CompletionNotification.UNKNOWN_EVENT_TIME);
    }

    @Test
    void anEventTimeThatIsMissingOrNotAnInstantIsUnknownNeverMadeUp() throws Exception {
        String completed =
                "{\"invocationStatus\":\"Completed\",\"inferenceId\":\"id-4\","
                        + "\"responseParameters\":{\"outputLocation\":\"s3://bucket/out/4.out\"}";

        CompletionNotification missing = NotificationParser.parse(completed + "}");
        CompletionNotification garbled =
                NotificationParser.parse(completed + ",\"eventTime\":\"yesterday\"}");
        CompletionNotification given =
                NotificationParser.parse(completed + ",\"eventTime\":\"2026-11-29T20:10:11Z\"}");
        // An Instant, but beyond what epoch milliseconds hold: one message must not fail the job.
        CompletionNotification overflowing =
                NotificationParser.parse(
                        completed + ",\"eventTime\":\"+300000000-01-01T00:00:00Z\"}");

        assertThat(missing.hasEventTime()).isFalse();
        assertThat(missing.eventTimeMillis()).isEqualTo(CompletionNotification.UNKNOWN_EVENT_TIME);
        assertThat(garbled.hasEventTime()).isFalse();
        assertThat(overflowing.hasEventTime()).isFalse();
        assertThat(given.hasEventTime()).isTrue();
        assertThat(given.eventTimeMillis())
                .isEqualTo(Instant.parse("2026-11-29T20:10:11Z").toEpochMilli());
    }

    @Test
    void readsAFailureThatNamesItsLocationFromThereEvenWithAReason() throws Exception {
        CompletionNotification n =
                NotificationParser.parse(
                        "{\"invocationStatus\":\"Failed\",\"inferenceId\":\"id-3\","
                                + "\"failureReason\":\"ClientError: 500 from the model\","
                                + "\"responseParameters\":{\"failureLocation\":"
                                + "\"s3://bucket/failure/id-3-error.out\"}}");

        assertThat(n.location()).isEqualTo("s3://bucket/failure/id-3-error.out");
        assertThat(n.isContentIncluded()).isFalse();
    }

    /**
     * The join and its cleanup parse the location later, where one bad message would fail the job
     * on every redelivery: it is unparseable here, even when the response is included.
     */
    @Test
    void aLocationThatIsNotAnS3UriMakesTheMessageUnparseable() {
        String included = "{\"content\":\"" + base64("{}") + "\",\"encoding\":\"BASE64\"}";
        String https = "https://bucket.s3.amazonaws.com/out/abc.out";
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        success(included)
                                                .replace("s3://bucket/out/abc.out", https)))
                .isInstanceOf(UnparseableNotificationException.class)
                .hasMessageContaining("outputLocation must be an s3://bucket/key URI")
                .hasMessageContaining(https);
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        success(null).replace("s3://bucket/out/abc.out", "")))
                .isInstanceOf(UnparseableNotificationException.class)
                .hasMessageContaining("outputLocation must be an s3://bucket/key URI");
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        success(included)
                                                .replace("s3://bucket/out/abc.out", "s3:///abc")))
                .isInstanceOf(UnparseableNotificationException.class)
                .hasMessageContaining("outputLocation names no bucket");
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        "{\"invocationStatus\":\"Failed\",\"inferenceId\":\"id-3\","
                                                + "\"failureReason\":\"ClientError\","
                                                + "\"responseParameters\":{\"failureLocation\":"
                                                + "\"bucket/failure/id-3-error.out\"}}"))
                .isInstanceOf(UnparseableNotificationException.class)
                .hasMessageContaining("failureLocation must be an s3://bucket/key URI");
    }

    @Test
    void saysWhyAMessageIsNotANotification() {
        assertThatThrownBy(() -> NotificationParser.parse("not json"))
                .isInstanceOf(UnparseableNotificationException.class)
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> NotificationParser.parse("[1]"))
                .hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> NotificationParser.parse("{\"Records\":[]}"))
                .hasMessageContaining("neither a SageMaker notification nor an SNS envelope");
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        "{\"inferenceId\":\"x\",\"invocationStatus\":\"Running\"}"))
                .hasMessageContaining("'Running' is neither Completed nor Failed");
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        "{\"inferenceId\":\"\",\"invocationStatus\":\"Failed\"}"))
                .hasMessageContaining("no inferenceId");
        assertThatThrownBy(
                        () ->
                                NotificationParser.parse(
                                        "{\"inferenceId\":\"x\",\"invocationStatus\":\"Completed\"}"))
                .hasMessageContaining("neither outputLocation nor a response");
    }
}
