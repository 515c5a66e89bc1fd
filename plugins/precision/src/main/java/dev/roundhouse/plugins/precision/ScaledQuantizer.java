package dev.roundhouse.plugins.precision;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Quantisation with scale factors, as low-precision GEMMs see their operands: values are divided
 * by a scale so the block's absolute maximum maps to the format's maximum, rounded to the format,
 * and multiplied back (the emulated tensor is what the GEMM would compute with, dequantised). An
 * all-zero block keeps a tiny positive scale (it stays zero). Blocks run along the last dimension (the contraction dimension of
 * {@code x @ w^T}); leading dimensions are flattened into rows.
 *
 * <p>Legend: R rows (leading dims flattened), C = last dim, b block length.
 */
public final class ScaledQuantizer {
  /** How scale factors are shared. */
  public enum Granularity {
    /** One fp32 scale for the whole tensor (current scaling: from this tensor's amax). */
    TENSOR,
    /** One scale per 1 x b block of consecutive elements in a row. */
    ROW_BLOCK,
    /** One scale per b x b tile (rows and columns), as for weights in DeepSeek-V3's fp8 recipe. */
    TILE
  }

  private ScaledQuantizer() {}

  /** x quantised to {@code f} with the given scale sharing; block length b (ignored for TENSOR). */
  public static INDArray quantize(INDArray x, NumberFormat f, Granularity g, int b) {
    if (g == Granularity.TENSOR || x.rank() == 0) {
      double amax = x.amaxNumber().doubleValue();
      double s = amax > 0 && Double.isFinite(amax) ? amax / f.maxValue() : 1.0;
      return round(x.div(s), f, withinRange(amax, s)).muli(s);
    }
    long cols = x.size(x.rank() - 1);
    long rows = x.length() / cols;
    INDArray m = x.reshape('c', rows, cols); // [R, C]
    long bc = blockLength(cols, b);
    long br = g == Granularity.TILE ? blockLength(rows, b) : 1;
    // tiles as rows of a [nBlocks, br*bc] matrix: [R/br, br, C/bc, bc] -> [R/br, C/bc, br, bc]
    INDArray tiles = m.reshape('c', rows / br, br, cols / bc, bc).permute(0, 2, 1, 3).dup('c')
        .reshape('c', (rows / br) * (cols / bc), br * bc);
    INDArray scale = tiles.amax(1).divi(f.maxValue()).reshape(tiles.size(0), 1); // [nBlocks, 1]
    Transforms.max(scale, Float.MIN_NORMAL, false); // an all-zero block: any positive scale keeps it zero
    boolean finite = Double.isFinite(scale.sumNumber().doubleValue()); // every scale finite: no clip needed
    INDArray q = round(tiles.diviColumnVector(scale), f, finite).muliColumnVector(scale);
    return q.reshape('c', rows / br, cols / bc, br, bc).permute(0, 2, 1, 3).dup('c').reshape('c', x.shape());
  }

  /**
   * Per-tensor current scaling applied to each row group of a 2-D x on its own: rows
   * offsets[g] .. offsets[g+1] - 1 get the scale from their own amax. Same values as {@code
   * quantize(group, f, TENSOR, b)} per group, stacked (the same fp32 division and multiplication by
   * the same scale, here a per-row column instead of a scalar), but one rounding pass over all rows
   * instead of one per group. x: [M, k] -> [M, k].
   */
  public static INDArray quantizeGroups(INDArray x, NumberFormat f, int[] offsets) {
    INDArray scale = Nd4j.createUninitialized(x.dataType(), x.size(0), 1); // [M, 1], every group's rows set
    boolean inRange = true;
    for (int g = 0; g + 1 < offsets.length; g++) {
      if (offsets[g + 1] > offsets[g]) {
        INDArray rows = x.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all());
        double amax = rows.amaxNumber().doubleValue();
        double s = amax > 0 && Double.isFinite(amax) ? amax / f.maxValue() : 1.0;
        inRange &= withinRange(amax, s);
        scale.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all()).assign(s);
      }
    }
    return round(x.divColumnVector(scale), f, inRange).muliColumnVector(scale);
  }

  /**
   * Per-tensor current scaling of several same-shaped tensors in one pass: the tensors stacked as
   * rows, one scale per row from its own amax. Each result equals {@code quantize(x_i, f, TENSOR, b)}
   * (the same amax, the same fp32 division and multiplication by the same scale), with one set of
   * rounding passes for all of them instead of one per tensor.
   */
  public static List<INDArray> quantizeEach(List<INDArray> xs, NumberFormat f) {
    int n = xs.size();
    long len = xs.get(0).length();
    INDArray stack = Nd4j.createUninitialized(xs.get(0).dataType(), n, len); // [n, len]
    for (int i = 0; i < n; i++) {
      stack.getRow(i).assign(xs.get(i).reshape(len));
    }
    double[] amax = stack.amax(1).toDoubleVector(); // [n]
    double[] s = new double[n]; // one scale per tensor (n tensors, not elements)
    boolean inRange = true;
    for (int i = 0; i < n; i++) {
      s[i] = amax[i] > 0 && Double.isFinite(amax[i]) ? amax[i] / f.maxValue() : 1.0;
      inRange &= withinRange(amax[i], s[i]);
    }
    INDArray scale = Nd4j.createFromArray(s).castTo(stack.dataType()).reshape(n, 1); // [n, 1]
    INDArray q = round(stack.diviColumnVector(scale), f, inRange).muliColumnVector(scale);
    List<INDArray> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(q.getRow(i).reshape(xs.get(i).shape()));
    }
    return out;
  }

  /**
   * NVFP4: e2m1 values, one e4m3 scale per 16 consecutive elements of a row, and one fp32 scale
   * per tensor chosen so the largest block scale lands at e4m3's max: global = amax / (6 * 448),
   * block scale = round_e4m3(amax_block / 6 / global), value = round_e2m1(x / (block * global)).
   */
  public static INDArray nvfp4(INDArray x) {
    double amax = x.amaxNumber().doubleValue();
    double global = amax > 0 && Double.isFinite(amax) ? amax / (NumberFormat.E2M1.maxValue() * NumberFormat.E4M3.maxValue()) : 1.0;
    long cols = x.size(x.rank() - 1);
    long rows = x.length() / cols;
    long bc = blockLength(cols, 16);
    INDArray blocks = x.reshape('c', rows * (cols / bc), bc); // [R*C/16, 16]
    INDArray blockScale = blocks.amax(1).divi(NumberFormat.E2M1.maxValue() * global); // [R*C/16]
    blockScale = Quantizer.round(blockScale, NumberFormat.E4M3);
    Transforms.max(blockScale, NumberFormat.E4M3.minSubnormal(), false); // an all-zero block stays zero
    INDArray scale = blockScale.muli(global).reshape(rows * (cols / bc), 1); // [R*C/16, 1]
    return Quantizer.round(blocks.divColumnVector(scale), NumberFormat.E2M1).muliColumnVector(scale)
        .reshape('c', x.shape());
  }

  /**
   * True when x / s stays within f's range for every element of a tensor with absolute maximum
   * amax and current scale s = amax / max: amax finite and s a normal fp32 number (a scale that
   * underflows fp32 would blow values up; a non-finite amax gives s = 1 and leaves infinities).
   * Then |x / s| is at most max (1 + 2^-22) and the clip before rounding changes nothing. NaN
   * elements stay NaN either way. ND4J's amax skips a NaN that precedes other values, so in a
   * tensor holding both NaN and an infinity the infinity may be missed: it then rounds to NaN
   * instead of +-max (the tensor holds NaN either way).
   */
  private static boolean withinRange(double amax, double s) {
    return Double.isFinite(amax) && Math.abs((float) s) >= Float.MIN_NORMAL;
  }

  /** v rounded to f; the clip is skipped when {@code inRange} (may round v in place). */
  private static INDArray round(INDArray v, NumberFormat f, boolean inRange) {
    return inRange ? Quantizer.roundWithinRange(v, f) : Quantizer.round(v, f);
  }

  /**
   * {@link #nvfp4} applied to each row group of a 2-D x on its own (rows offsets[g] ..
   * offsets[g+1] - 1 get the tensor scale from their own amax), in one set of passes over all rows
   * instead of one call per group: the same fp32 divisions and multiplications by the same scales,
   * here per-block columns instead of scalars, so the same values. x: [M, C] -> [M, C].
   */
  public static INDArray nvfp4Groups(INDArray x, int[] offsets) {
    long rows = x.size(0);
    long cols = x.size(1);
    long bc = blockLength(cols, 16);
    long perRow = cols / bc;
    INDArray global = Nd4j.createUninitialized(x.dataType(), rows, 1); // [M, 1]: each row's group's tensor scale
    INDArray e2m1Global = Nd4j.createUninitialized(x.dataType(), rows, 1); // [M, 1]: 6 * that scale
    for (int g = 0; g + 1 < offsets.length; g++) {
      if (offsets[g + 1] > offsets[g]) {
        INDArray groupRows = x.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all());
        double amax = groupRows.amaxNumber().doubleValue();
        double gl = amax > 0 && Double.isFinite(amax) ? amax / (NumberFormat.E2M1.maxValue() * NumberFormat.E4M3.maxValue()) : 1.0;
        global.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all()).assign(gl);
        e2m1Global.get(NDArrayIndex.interval(offsets[g], offsets[g + 1]), NDArrayIndex.all())
            .assign(NumberFormat.E2M1.maxValue() * gl);
      }
    }
    INDArray blocks = x.dup('c').reshape('c', rows * perRow, bc); // [M*C/16, 16]
    INDArray perBlockGlobal = global.repeat(1, perRow).reshape('c', rows * perRow, 1); // [M*C/16, 1]
    INDArray perBlockE2m1 = e2m1Global.repeat(1, perRow).reshape('c', rows * perRow, 1); // [M*C/16, 1]
    INDArray blockScale = blocks.amax(1).reshape('c', rows * perRow, 1).diviColumnVector(perBlockE2m1);
    blockScale = Quantizer.round(blockScale, NumberFormat.E4M3);
    Transforms.max(blockScale, NumberFormat.E4M3.minSubnormal(), false); // an all-zero block stays zero
    INDArray scale = blockScale.muliColumnVector(perBlockGlobal); // [M*C/16, 1]
    return Quantizer.round(blocks.diviColumnVector(scale), NumberFormat.E2M1).muliColumnVector(scale)
        .reshape('c', x.shape());
  }

  /** b when it divides n; else the largest common divisor of n and b (finer blocks, never padding). */
  static long blockLength(long n, long b) {
    if (n % b == 0) {
      return b;
    }
    long a = n;
    long c = b;
    while (c != 0) {
      long t = a % c;
      a = c;
      c = t;
    }
    return a;
  }

  static String describe(Granularity g, int b) {
    return switch (g) {
      case TENSOR -> "per-tensor scale";
      case ROW_BLOCK -> "1x" + b + " block scales";
      case TILE -> b + "x" + b + " tile scales";
    };
  }
}
