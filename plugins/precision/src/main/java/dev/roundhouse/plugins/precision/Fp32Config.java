package dev.roundhouse.plugins.precision;

/** The {@code "fp32"} policy has nothing to configure: {@code {"type": "fp32"}}. */
public record Fp32Config() {}
