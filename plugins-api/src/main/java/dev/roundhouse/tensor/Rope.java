package dev.roundhouse.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    // cos, sin: [1, 1, T, h] views of the tables' first T rows
    INDArray cos = rows(c.cos(), t);
    INDArray sin = rows(c.sin(), t);
    INDArray out = x.data().dup('c');
    rotate(x.data(), out, cos, sin, c.rotaryDims(), 1.0);
    return Tensor.result(out, g -> {
      if (x.requiresGrad()) {
        INDArray dx = g.dup('c');
        rotate(g, dx, cos, sin, c.rotaryDims(), -1.0); // inverse rotation
        x.addGradOwned(dx);
      }
    }, x);
  }

  private static INDArray rows(INDArray table, long t) {
    return table.get(NDArrayIndex.interval(0, t), NDArrayIndex.all()).reshape(1, 1, t, table.size(1));
  }

  /**
   * Writes the rotation of src's first rd dims into dst (same shape, other dims already copied).
   * direction +1 rotates forward, -1 backward.
   */
  private static void rotate(INDArray src, INDArray dst, INDArray cos, INDArray sin, int rd, double direction) {
    int half = rd / 2;
    INDArray x1 = src.get(lastDims(0, half));
    INDArray x2 = src.get(lastDims(half, rd));
    INDArray sinD = direction > 0 ? sin : sin.neg();
    // out1 = x1 cos - x2 sin; out2 = x2 cos + x1 sin  ([B, H, T, h] each)
    INDArray out1 = x1.mul(cos).subi(x2.mul(sinD));
    INDArray out2 = x2.mul(cos).addi(x1.mul(sinD));
    dst.get(lastDims(0, half)).assign(out1);
    dst.get(lastDims(half, rd)).assign(out2);
  }

  private static INDArrayIndex[] lastDims(long from, long to) {
    return new INDArrayIndex[] {
      NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to)
    };
  }
}
