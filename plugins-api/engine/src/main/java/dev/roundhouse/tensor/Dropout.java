package dev.roundhouse.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/** Inverted dropout with its own seeded RNG (the global ND4J RNG is left untouched). */
final class Dropout {
  private Dropout() {}

  /**
   * Zeroes each element with probability p and scales the rest by 1 / (1 - p), so the expectation
   * is unchanged. The mask depends only on (seed, shape): the same seed gives the same mask.
   * p = 0 returns x itself. Backward multiplies by the same scaled mask. Inside a checkpointed
   * segment ({@link Recompute}) the re-run draws the same mask.
   *
   * @throws IllegalArgumentException unless 0 <= p < 1
   */
  public static Tensor dropout(Tensor x, double p, long seed) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout p must be in [0, 1), got " + p);
    }
    if (p == 0) {
      return x;
    }
    INDArray mask = Nd4j.createUninitialized(x.dataType(), x.shape());
    long drawSeed = Recompute.seed(seed); // the first pass's seed when a checkpoint re-runs this
    try (Random rng = Nd4j.getRandomFactory().getNewRandomInstance(drawSeed)) {
      Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1 - p), rng);
    } catch (Exception e) {
      throw new IllegalStateException("dropout RNG failed", e);
    }
    mask.muli(1.0 / (1 - p));
    return Tensor.result(x.data().mul(mask), g -> {
      if (x.requiresGrad()) {
        x.addGradOwned(g.mul(mask));
      }
    }, x);
  }
}
