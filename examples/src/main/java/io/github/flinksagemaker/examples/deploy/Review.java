package io.github.flinksagemaker.examples.deploy;

/**
 * A review the job can submit: its {@code id} (the inference ID) and its JSON as read, parsed once
 * by {@link ReviewParser}.
 */
public record Review(String id, String json) {}
