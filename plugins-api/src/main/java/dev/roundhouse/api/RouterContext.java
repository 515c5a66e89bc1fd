package dev.roundhouse.api;

/**
 * What a router may know: model width, expert count, top-k, its layer, the parameter factory and
 * the seed for any noise it draws.
 */
public record RouterContext(int dModel, int numExperts, int topK, int layerIndex, ParameterFactory params, long seed) {
  public RouterContext {
    if (numExperts <= 0) {
      throw new IllegalArgumentException("numExperts must be > 0, got " + numExperts);
    }
    if (topK <= 0 || topK > numExperts) {
      throw new IllegalArgumentException("topK must be in [1, numExperts=" + numExperts + "], got " + topK);
    }
  }
}
