package dev.roundhouse.plugins.precision;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
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
    double[] amax = groupAmax(x, offsets); // [G]
    double[] s = new double[amax.length]; // one scale per group (G groups, not elements)
    boolean inRange = true;
    for (int g = 0; g < amax.length; g++) {
      s[g] = amax[g] > 0 && Double.isFinite(amax[g]) ? amax[g] / f.maxValue() : 1.0;
      inRange &= offsets[g + 1] == offsets[g] || withinRange(amax[g], s[g]);
    }
    INDArray scale = perRow(s, offsets, x); // [M, 1]
    return round(x.divColumnVector(scale), f, inRange).muliColumnVector(scale);
  }

  /**
   * The absolute maximum of each row group of a 2-D x (rows offsets[g] .. offsets[g+1] - 1; 0 for
   * an empty group, NaN when a row maximum is NaN): one row-maximum pass over x and a max over the
   * M row maxima, instead of one reduction per group (each costs ~0.1 ms of call overhead; measured
   * on [4096, 256] in 16 groups: 2.0 ms per group reduction vs 1.15 ms for the row maxima). x: [M, C] -> [G].
   */
  private static double[] groupAmax(INDArray x, int[] offsets) {
    double[] rowMax = x.amax(1).toDoubleVector(); // [M]
    double[] amax = new double[offsets.length - 1];
    for (int g = 0; g < amax.length; g++) {
      for (int r = offsets[g]; r < offsets[g + 1]; r++) {
        amax[g] = Math.max(amax[g], rowMax[r]); // NaN stays NaN
      }
    }
    return amax;
  }

  /**
   * An [M, 1] column of x's dtype holding perGroup[g] in the rows of group g (1 in rows outside every
   * group): built in Java from G values and copied once, instead of one view assignment per group
   * (measured: 16 groups' maxima and column assignments took 3.2-4.2 ms per [4096, 256] call, as much
   * as the rounding itself).
   */
  private static INDArray perRow(double[] perGroup, int[] offsets, INDArray x) {
    double[] col = new double[(int) x.size(0)];
    Arrays.fill(col, 1.0);
    for (int g = 0; g < perGroup.length; g++) {
      Arrays.fill(col, offsets[g], offsets[g + 1], perGroup[g]);
    }
    return Nd4j.createFromArray(col).castTo(x.dataType()).reshape(col.length, 1); // the old assign's cast
  }

  /**
   * Per-tensor current scaling of several same-shaped tensors in one pass: the tensors stacked as
   * rows, one scale per row from its own amax. Each result equals {@code quantize(x_i, f, TENSOR, b)}
   * (the same amax, the same fp32 division and multiplication by the same scale), with one set of
   * rounding passes for all of them instead of one per tensor.
   */
  public static List<INDArray> quantizeEach(List<INDArray> xs, NumberFormat f) {
    INDArray out = Nd4j.createUninitialized(xs.get(0).dataType(), xs.size(), xs.get(0).length()); // [n, len]
    quantizeEachInto(xs, f, out);
    List<INDArray> rows = new ArrayList<>(xs.size());
    for (int i = 0; i < xs.size(); i++) {
      rows.add(out.getRow(i).reshape(xs.get(i).shape()));
    }
    return rows;
  }

  /**
   * {@link #quantizeEach} written into {@code out} [n, len] (row i: tensor i flattened), e.g. a
   * persistent buffer whose rows are the tensors' cached copies: the last pass (the multiplication
   * by each row's scale) writes there, so no per-tensor copy follows.
   */
  public static void quantizeEachInto(List<INDArray> xs, NumberFormat f, INDArray out) {
    int n = xs.size();
    INDArray stack = stack(xs); // [n, len]
    double[] amax = stack.amax(1).toDoubleVector(); // [n]
    double[] s = new double[n]; // one scale per tensor (n tensors, not elements)
    boolean inRange = true;
    for (int i = 0; i < n; i++) {
      s[i] = amax[i] > 0 && Double.isFinite(amax[i]) ? amax[i] / f.maxValue() : 1.0;
      inRange &= withinRange(amax[i], s[i]);
    }
    INDArray scale = Nd4j.createFromArray(s).castTo(stack.dataType()); // [n]
    INDArray q = round(stack.diviColumnVector(scale.reshape(n, 1)), f, inRange); // [n, len]
    Nd4j.exec(new BroadcastMulOp(q, scale, out, 0)); // out = q * scale per row
  }

  /**
   * {@link #nvfp4} of each of several same-shaped tensors (own tensor scale each), written into
   * {@code out} [n, len]: the tensors stacked as row groups of one [n * R, C] matrix and rounded by
   * {@link #nvfp4Groups} in one set of passes (its 16-element blocks lie within a row, so the same
   * blocks and the same values as one call per tensor).
   */
  public static void nvfp4EachInto(List<INDArray> xs, INDArray out) {
    long cols = xs.get(0).size(xs.get(0).rank() - 1);
    long rowsEach = xs.get(0).length() / cols;
    int[] offsets = new int[xs.size() + 1];
    for (int i = 0; i <= xs.size(); i++) {
      offsets[i] = Math.toIntExact(i * rowsEach);
    }
    INDArray stacked = stack(xs).reshape('c', xs.size() * rowsEach, cols); // [n * R, C]
    out.assign(nvfp4Groups(stacked, offsets).reshape('c', out.shape()));
  }

  /**
   * Same-shaped tensors flattened into the rows of a new c-order [n, len] array. Each row is
   * written through an array of the tensor's own shape on the stack's buffer at the row's offset,
   * so the copy runs as one same-shape assignment (measured: 8 tensors of [128, 256] 0.31 ms,
   * against 0.59 ms through a row view and a reshape of each tensor).
   */
  private static INDArray stack(List<INDArray> xs) {
    INDArray first = xs.get(0);
    long len = first.length();
    INDArray stack = Nd4j.createUninitialized(first.dataType(), xs.size(), len); // [n, len]
    long[] shape = first.shape();
    long[] stride = Nd4j.getStrides(shape, 'c');
    for (int i = 0; i < xs.size(); i++) {
      Nd4j.create(stack.data(), shape, stride, i * len, 'c').assign(xs.get(i));
    }
    return stack;
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
    double[] amax = groupAmax(x, offsets); // [G]
    double[] gl = new double[amax.length]; // each group's tensor scale
    double[] e2m1Gl = new double[amax.length]; // 6 * that scale
    for (int g = 0; g < amax.length; g++) {
      gl[g] = amax[g] > 0 && Double.isFinite(amax[g]) ? amax[g] / (NumberFormat.E2M1.maxValue() * NumberFormat.E4M3.maxValue()) : 1.0;
      e2m1Gl[g] = NumberFormat.E2M1.maxValue() * gl[g];
    }
    INDArray global = perRow(gl, offsets, x); // [M, 1]: each row's group's tensor scale
    INDArray e2m1Global = perRow(e2m1Gl, offsets, x); // [M, 1]
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
