package io.github.flinksagemaker.connector.testutils;

import io.github.flinksagemaker.local.model.LocalModel;
import io.github.flinksagemaker.local.model.ModelRequest;
import io.github.flinksagemaker.local.model.ModelResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A deterministic test model: answers the SHA-256 of the payload, or fails for payloads starting
 * with 'E', so tests know every element's exact expected result.
 */
public final class DigestModel implements LocalModel {

    @Override
    public ModelResponse invoke(ModelRequest request) throws Exception {
        if (request.body()[0] == 'E') {
            return ModelResponse.error(
                    "model refused payload of " + request.body().length + " bytes");
        }
        return ModelResponse.success(digest(request.body()), "text/plain");
    }

    public static byte[] digest(byte[] payload) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(payload))
                .getBytes(StandardCharsets.US_ASCII);
    }
}
