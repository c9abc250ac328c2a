package io.github.flinksagemaker.connector.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The policy in {@code docs/iam.md} is valid JSON and grants exactly what the connector uses. */
class IamPolicyDocsTest {

    @Test
    void thePolicyIsValidJsonWithTheLeastPrivilegeActions() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "iam.md"));
        int start = doc.indexOf("```json\n") + "```json\n".length();
        JsonNode policy =
                new ObjectMapper().readTree(doc.substring(start, doc.indexOf("```", start)));

        List<String> grants = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
            grants.add(statement.get("Action").asText() + " " + statement.get("Resource"));
        }
        assertThat(grants)
                .containsExactly(
                        "sagemaker:InvokeEndpointAsync"
                                + " \"arn:aws:sagemaker:REGION:ACCOUNT:endpoint/ENDPOINT\"",
                        "s3:PutObject \"arn:aws:s3:::BUCKET/async/input/*\"",
                        "s3:ListBucket \"arn:aws:s3:::BUCKET\"",
                        "s3:GetObject [\"arn:aws:s3:::BUCKET/async/output/*\","
                                + "\"arn:aws:s3:::BUCKET/async/failure/*\"]");
        assertThat(
                        policy.get("Statement")
                                .get(2)
                                .get("Condition")
                                .get("StringLike")
                                .get("s3:prefix"))
                .hasSize(2);
    }
}
