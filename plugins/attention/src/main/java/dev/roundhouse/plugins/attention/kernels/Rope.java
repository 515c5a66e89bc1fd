package dev.roundhouse.plugins.attention.kernels;

import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.OpScratch;
import dev.roundhouse.tensor.Tensor;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Rotary position embedding, "rotate_half" (GPT-NeoX / Hugging Face Llama) convention.
 *
 * <p>Within each head only the first {@code rotaryDims} dims rotate (partial rotary); the rest pass
 * through. With {@code h = rotaryDims / 2}, dim {@code i < h} is paired with dim {@code i + h} (not
 * with its neighbour as in GPT-J's interleaved form) and rotated by angle {@code t * theta^(-2i /
 * rotaryDims)} at position t:
 *
 * <pre>
 *   out[i]     = x[i] * cos - x[i + h] * sin
 *   out[i + h] = x[i + h] * cos + x[i] * sin
 * </pre>
 *
 * Positions are 0..T-1, so position 0 is the identity. The backward pass is the inverse rotation
 * (angle negated). Legend: B batch, H heads, T positions, hd head dim, h = rotaryDims / 2.
 */
public final class Rope {
  private Rope() {}

  /**
   * Precomputed tables. cos, sin: [maxSeqLen, rotaryDims / 2], row t column i holds cos/sin of
   * {@code t * theta^(-2i / rotaryDims)}.
   */
  public record Cache(INDArray cos, INDArray sin, int rotaryDims) {
    public Cache {
      if (rotaryDims % 2 != 0 || rotaryDims < 0) {
        throw new IllegalArgumentException("rotaryDims must be even and >= 0, got " + rotaryDims);
      }
    }

    /** The longest sequence these tables cover. */
    public long maxSeqLen() {
      return cos.size(0);
    }
  }

  /** Tables for positions 0..maxSeqLen-1; angles are computed in DOUBLE, then cast to {@code dtype}. */
  public static Cache cache(int maxSeqLen, int headDim, int rotaryDims, double theta, DataType dtype) {
    if (maxSeqLen <= 0) {
      throw new IllegalArgumentException("maxSeqLen must be > 0, got " + maxSeqLen);
    }
    if (rotaryDims < 0 || rotaryDims > headDim || rotaryDims % 2 != 0) {
      throw new IllegalArgumentException(
          "rotaryDims must be even and in [0, headDim=" + headDim + "], got " + rotaryDims);
    }
    if (!(theta > 0)) {
      throw new IllegalArgumentException("rope theta must be > 0, got " + theta);
    }
    int half = rotaryDims / 2;
    if (half == 0) {
      INDArray empty = Nd4j.create(dtype, maxSeqLen, 0);
      return new Cache(empty, empty, 0);
    }
    // invFreq: [1, h] = theta^(-2i / rotaryDims); pos: [maxSeqLen, 1]; angles: [maxSeqLen, h]
    INDArray exponents = Nd4j.arange(0, half).castTo(DataType.DOUBLE).reshape(1, half);
    INDArray invFreq = Transforms.exp(exponents.muli(-2.0 * Math.log(theta) / rotaryDims), false);
    INDArray pos = Nd4j.arange(0, maxSeqLen).castTo(DataType.DOUBLE).reshape(maxSeqLen, 1);
    INDArray angles = MatOps.gemm(pos, invFreq, false, false);
    return new Cache(Transforms.cos(angles, true).castTo(dtype), Transforms.sin(angles, true).castTo(dtype),
        rotaryDims);
  }

  /** Rotates x: [B, H, T, hd] (any strides) by positions 0..T-1 -> a new contiguous [B, H, T, hd]. */
  public static Tensor apply(Tensor x, Cache c) {
    if (x.rank() != 4) {
      throw new IllegalArgumentException("rope expects x as [B, H, T, headDim], got " + Arrays.toString(x.shape()));
    }
    long t = x.size(2);
    if (t > c.maxSeqLen()) {
      throw new IllegalArgumentException("rope: sequence length " + t + " exceeds the cache's " + c.maxSeqLen());
    }
    if (c.rotaryDims() > x.size(3)) {
      throw new IllegalArgumentException("rope: rotaryDims " + c.rotaryDims() + " exceeds head dim " + x.size(3));
    }
    if (c.rotaryDims() == 0) {
      return Tensor.result(x.data().dup('c'), x::addGrad, x);
    }
    if (c.cos().dataType() != x.dataType()) {
      throw new IllegalArgumentException("rope: cache is " + c.cos().dataType() + " but x is " + x.dataType());
    }
    // full-width tables [T, hd]: c = [cos, cos, 1], s = [-sin, sin, 0] (pass-through dims: 1 and 0)
    INDArray[] cs = fullTables(c, t, x.size(3), x.dataType());
    INDArray cosFull = cs[0];
    INDArray sinFull = cs[1];
    INDArray out = rotate(x.data(), cosFull, sinFull, c.rotaryDims());
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        x.addGradOwned(rotate(g, cosFull, sinFull.neg(), c.rotaryDims())); // inverse rotation
      }
    }, x);
  }

  /**
   * out = src * c + swap(src) * s, where swap exchanges dims [0, h) and [h, rd) of the last axis
   * (pass-through dims are zeroed in the swapped copy, where s is 0): a copy, a swap, two in-place
   * multiplies (the tables broadcast over [B, H] inside libnd4j's multiply) and an add. src: [B, H, T, hd] (any strides) ->
   * fresh c-order [B, H, T, hd].
   */
  private static INDArray rotate(INDArray src, INDArray c, INDArray s, int rd) {
    int half = rd / 2;
    long hd = src.size(3);
    // one c-order copy first: half-width copies out of a permuted view cost ~5x a c-order one
    INDArray out = src.dup('c');
    try (OpScratch scratch = OpScratch.open()) { // the swapped copy is a temporary
      INDArray swapped = Nd4j.createUninitialized(src.dataType(), src.shape());
      swapped.get(lastDims(0, half)).assign(out.get(lastDims(half, rd)));
      swapped.get(lastDims(half, rd)).assign(out.get(lastDims(0, half)));
      if (rd < hd) {
        swapped.get(lastDims(rd, hd)).assign(0);
      }
      Nd4j.exec(DynamicCustomOp.builder("multiply").addInputs(out, c).addOutputs(out).build());
      Nd4j.exec(DynamicCustomOp.builder("multiply").addInputs(swapped, s).addOutputs(swapped).build());
      return out.addi(swapped);
    }
  }

  /** {c [T, hd], s [T, hd]}: the first T rows of the tables laid out for {@link #rotate}. */
  private static INDArray[] fullTables(Cache cache, long t, long hd, DataType dtype) {
    int half = cache.rotaryDims() / 2;
    int rd = cache.rotaryDims();
    INDArray cos = cache.cos().get(NDArrayIndex.interval(0, t), NDArrayIndex.all()); // [T, h]
    INDArray sin = cache.sin().get(NDArrayIndex.interval(0, t), NDArrayIndex.all());
    INDArray c = Nd4j.ones(dtype, t, hd);
    INDArray s = Nd4j.zeros(dtype, t, hd);
    c.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)).assign(cos);
    c.get(NDArrayIndex.all(), NDArrayIndex.interval(half, rd)).assign(cos);
    s.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)).assign(sin).negi();
    s.get(NDArrayIndex.all(), NDArrayIndex.interval(half, rd)).assign(sin);
    return new INDArray[] {c, s};
  }

  private static INDArrayIndex[] lastDims(long from, long to) {
    return new INDArrayIndex[] {
      NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)
    };
  }
}
