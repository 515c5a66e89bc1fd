package dev.roundhouse.plugins.attention;

import dev.roundhouse.plugins.attention.kernels.MaskedAttention;
import dev.roundhouse.plugins.attention.kernels.Rope;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Head reshapes, cached causal masks and lazily cast RoPE tables shared by the attention blocks. */
final class Heads {
  private Heads() {}

  /** y: [B, T, n*hd] -> [B, n, T, hd] (a strided view). */
  static Tensor split(Tensor y, int n, int hd) {
    return Shapes.permute(Shapes.reshape(y, y.size(0), y.size(1), n, hd), 0, 2, 1, 3);
  }

  /** o: [B, n, T, hd] -> [B, T, n*hd] (a copy). */
  static Tensor merge(Tensor o) {
    return Shapes.reshape(Shapes.permute(o, 0, 2, 1, 3), o.size(0), o.size(2), o.size(1) * o.size(3));
  }

  private record MaskKey(int t, DataType dtype) {}

  private static final Map<MaskKey, INDArray> CAUSAL = new ConcurrentHashMap<>();

  /** [T, T] causal visibility (1 where j <= i), built once per (T, dtype) outside every workspace. */
  static INDArray causal(int t, DataType dtype) {
    return CAUSAL.computeIfAbsent(new MaskKey(t, dtype), k -> StepArena.outside(() -> MaskedAttention.causal(t, dtype)));
  }

  /** RoPE tables for one block, re-made (outside workspaces) when the compute dtype changes. */
  static final class RopeTables {
    private final int maxSeqLen;
    private final int dim;
    private final int rotary;
    private final double theta;
    private Rope.Cache cache;

    RopeTables(int maxSeqLen, int dim, int rotary, double theta) {
      this.maxSeqLen = maxSeqLen;
      this.dim = dim;
      this.rotary = rotary;
      this.theta = theta;
    }

    int rotaryDims() {
      return rotary;
    }

    /** x: [B, n, T, dim] rotated (a new contiguous tensor); identity copy when no dims rotate. */
    Tensor apply(Tensor x) {
      if (cache == null || cache.cos().dataType() != x.dataType()) {
        cache = StepArena.outside(() -> Rope.cache(maxSeqLen, dim, rotary, theta, x.dataType()));
      }
      return Rope.apply(x, cache);
    }
  }
}
