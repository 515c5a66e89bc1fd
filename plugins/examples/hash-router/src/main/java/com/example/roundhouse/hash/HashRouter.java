package com.example.roundhouse.hash;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.Routing;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hash router for one MoE layer. Legend: N tokens, d model width, E experts, k experts per token,
 * b hash bits, M = N * k assignments (m = n * k + j is token n's j-th expert).
 *
 * <p>Each token row x_n is compared with b fixed random hyperplanes (a SimHash): bit i is 1 when
 * {@code x_n . r_i > 0}. The b-bit code, mixed with the salt, picks a first expert h; the token goes to
 * experts h, h+1, ..., h+k-1 (mod E), k distinct experts, each with gate 1/k. Rows that point the same
 * way share a code and so their experts. Nothing here is learned: no parameters, no aux loss, and no
 * checkpoint state either, since the hyperplanes follow from the layer's seed.
 */
final class HashRouter implements Router {
  private final int numExperts;
  private final int topK;
  private final int dModel;
  private final long salt;
  private final INDArray planes; // [d, b], long-lived (outside every step arena)
  private final INDArray powers; // [b, 1]: 2^i, so code = bits @ powers

  HashRouter(HashRouterConfig config, RouterContext ctx) {
    this.numExperts = ctx.numExperts();
    this.topK = ctx.topK();
    this.dModel = ctx.dModel();
    this.salt = config.salt();
    int b = config.bits();
    Random rng = new Random(ctx.seed() * 31 + ctx.layerIndex());
    double[] r = new double[dModel * b];
    for (int i = 0; i < r.length; i++) {
      r[i] = rng.nextGaussian();
    }
    double[] p = new double[b];
    for (int i = 0; i < b; i++) {
      p[i] = 1L << i;
    }
    this.planes = StepArena.outside(() -> Nd4j.createFromArray(r).reshape(dModel, b));
    this.powers = StepArena.outside(() -> Nd4j.createFromArray(p).reshape(b, 1));
  }

  @Override
  public List<Parameter> parameters() {
    return List.of();
  }

  @Override
  public Routing route(Tensor x, int seqLen) {
    if (x.rank() != 2 || x.size(1) != dModel) {
      throw new IllegalArgumentException("hash router expects x [N, " + dModel + "], got " + Arrays.toString(x.shape()));
    }
    int n = (int) x.size(0);
    long[] codes = codes(x.data()); // [N]
    int m = n * topK;
    int[] tokenIndex = new int[m];
    int[] expertIndex = new int[m];
    for (int t = 0; t < n; t++) {
      int first = Math.floorMod(mix(codes[t] ^ salt), numExperts);
      for (int j = 0; j < topK; j++) {
        tokenIndex[t * topK + j] = t;
        expertIndex[t * topK + j] = (first + j) % numExperts;
      }
    }
    // Constant gates: the routing decision is not differentiable and has nothing to learn.
    Tensor gates = Tensor.constant(Nd4j.valueArrayOf(new long[] {m}, 1.0 / topK, x.dataType())); // [M]
    return new Routing(n, numExperts, tokenIndex, expertIndex, gates, Map.of(), Map.of());
  }

  /** The b-bit SimHash code of every row of x: [N, d] -> [N]. Whole-array ops, computed in DOUBLE. */
  long[] codes(INDArray x) {
    INDArray xd = x.dataType() == DataType.DOUBLE ? x : x.castTo(DataType.DOUBLE);
    INDArray side = MatOps.gemm(xd, planes, false, false).gt(0.0).castTo(DataType.DOUBLE); // [N, b] in {0, 1}
    return MatOps.gemm(side, powers, false, false).reshape(xd.size(0)).toLongVector(); // [N]
  }

  /** A 64-bit finaliser (SplitMix64's): nearby codes land on unrelated experts. */
  static int mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return (int) ((z ^ (z >>> 31)) >>> 33);
  }
}
