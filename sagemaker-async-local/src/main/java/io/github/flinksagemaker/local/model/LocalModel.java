package io.github.flinksagemaker.local.model;

/**
 * A model served by the local endpoint. Implementations may block (the local endpoint calls them on
 * worker threads) and must be thread-safe: up to the endpoint's max concurrent invocations run at
 * once. A thrown exception is treated like an error response.
 */
@FunctionalInterface
public interface LocalModel {
    ModelResponse invoke(ModelRequest request) throws Exception;
}
