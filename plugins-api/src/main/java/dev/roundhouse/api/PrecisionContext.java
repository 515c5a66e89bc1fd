package dev.roundhouse.api;

/** What a precision policy may know about the run: the number of layers and the seed. */
public record PrecisionContext(int nLayers, long seed) {}
