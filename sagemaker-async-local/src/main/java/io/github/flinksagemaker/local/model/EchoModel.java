package io.github.flinksagemaker.local.model;

/** Returns the payload unchanged, with the request's content type (or octet-stream). */
public final class EchoModel implements LocalModel {
    @Override
    public ModelResponse invoke(ModelRequest request) {
        String contentType =
                request.contentType() != null ? request.contentType() : "application/octet-stream";
        return ModelResponse.success(request.body(), contentType);
    }
}
