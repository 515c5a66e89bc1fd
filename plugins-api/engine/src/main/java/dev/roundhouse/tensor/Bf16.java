package dev.roundhouse.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * bf16 products: the cast op that makes bf16 operands and the product kernel {@link MatOps} uses
 * when an operand is BFLOAT16.
 *
 * <p>Product: both operands in BFLOAT16 through the declarable MatMul op ({@code Nd4j.matmul},
 * which oneDNN runs with fp32 accumulation; never {@code INDArray.mmul}, whose bf16 path is a
 * generic loop ~1000x slower). The op accepts only a BFLOAT16 output for BFLOAT16 operands, so the
 * fp32 accumulator is rounded once to bf16 (as PyTorch's bf16 autocast does) and the result is
 * widened to FLOAT for the fp32 ops that follow.
 *
 * <p>Mode, decided once per process: {@code native} when the CPU has avx512_bf16 or amx_bf16 in
 * /proc/cpuinfo, or the backend is CUDA (cuBLAS bf16 gemm); otherwise {@code emulated}: the bf16
 * operands are widened to FLOAT and multiplied by the fp32 gemm, and the result is rounded to
 * bf16 the same way. Both modes give the same values up to the order of the fp32 accumulation.
 * {@code -Droundhouse.bf16.products=native|emulated} overrides the detection (tests).
 *
 * <p>Casts use {@code assign} into a new array of the target type (one whole-array pass, ~3x
 * faster here than {@code castTo}), allocated in the current workspace. Thread-safe (stateless
 * apart from the mode, fixed at class initialisation).
 */
public final class Bf16 {
  /** How bf16 products run in this process. */
  public enum Mode { NATIVE, EMULATED }

  private static final Mode MODE = detectMode();

  private Bf16() {}

  public static Mode mode() {
    return MODE;
  }

  /** One line for provenance and the run log, e.g. "native (avx512_bf16)". */
  public static String describe() {
    return describe(MODE);
  }

  /** {@link #describe()} for a given mode. */
  public static String describe(Mode mode) {
    String flags = cpuBf16Flags();
    if (mode == Mode.NATIVE) {
      return "native (" + (cuda() ? "CUDA bf16 gemm" : flags) + ")";
    }
    String why = flags.isEmpty() ? "CPU has no avx512_bf16/amx_bf16"
        : "set by -Droundhouse.bf16.products=emulated (CPU has " + flags + ")";
    return "not native: " + why + "; bf16 operands are widened and multiplied by the fp32 gemm (same values, fp32 speed)";
  }

  /** The CPU's bf16 instruction flags from /proc/cpuinfo ("avx512_bf16 amx_bf16"), "" when none or unknown. */
  public static String cpuBf16Flags() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("flags")) {
          StringBuilder sb = new StringBuilder();
          for (String f : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
            if (f.equals("avx512_bf16") || f.equals("amx_bf16")) {
              sb.append(sb.length() == 0 ? "" : " ").append(f);
            }
          }
          return sb.toString();
        }
      }
    } catch (IOException | RuntimeException e) {
      return "";
    }
    return "";
  }

  private static boolean cuda() {
    String b = Nd4j.getBackend().getClass().getSimpleName().toLowerCase(Locale.ROOT);
    return b.contains("cublas") || b.contains("cuda");
  }

  private static Mode detectMode() {
    String forced = System.getProperty("roundhouse.bf16.products");
    if (forced != null && !forced.isBlank()) {
      return switch (forced.trim().toLowerCase(Locale.ROOT)) {
        case "native" -> Mode.NATIVE;
        case "emulated" -> Mode.EMULATED;
        default -> throw new IllegalArgumentException(
            "roundhouse.bf16.products: must be native or emulated, got '" + forced + "'");
      };
    }
    return cuda() || !cpuBf16Flags().isEmpty() ? Mode.NATIVE : Mode.EMULATED;
  }

  /** {@code x} converted to {@code type} (x itself when already so): one assign pass. */
  public static INDArray convert(INDArray x, DataType type) {
    if (x.dataType() == type) {
      return x;
    }
    return Nd4j.createUninitialized(type, x.shape()).assign(x);
  }

  /**
   * Differentiable cast to BFLOAT16 (round to nearest even). The gradient passes straight through
   * in the dtype it arrives in (FLOAT from the products), so the source's gradient stays fp32.
   * A BFLOAT16 tensor is returned unchanged.
   */
  public static Tensor cast(Tensor x) {
    if (x.dataType() == DataType.BFLOAT16) {
      return x;
    }
    return Tensor.result(convert(x.data(), DataType.BFLOAT16), x::addGradOwned, x); // g belongs to this node
  }

  /**
   * {@code op(a) @ op(b)} with bf16 operands (a FLOAT/DOUBLE operand is rounded to bf16 first),
   * fp32 accumulation, result rounded to bf16 and returned as FLOAT. Shapes as {@link MatOps#gemm}.
   */
  static INDArray product(INDArray a, INDArray b, boolean transA, boolean transB, long... outShape) {
    return product(MODE, a, b, transA, transB, outShape);
  }

  /** {@code op(a) @ op(b)} as {@link #product} but returning the BFLOAT16 result (not widened). */
  static INDArray product16(INDArray a, INDArray b, boolean transA, boolean transB, long m, long n) {
    INDArray out16 = Nd4j.createUninitialized(DataType.BFLOAT16, m, n);
    productInto(convert(a, DataType.BFLOAT16), convert(b, DataType.BFLOAT16), out16, transA, transB);
    return out16;
  }

  /** {@link #product} in a given mode (tests compare the two). */
  static INDArray product(Mode mode, INDArray a, INDArray b, boolean transA, boolean transB, long... outShape) {
    INDArray ab = convert(a, DataType.BFLOAT16);
    INDArray bb = convert(b, DataType.BFLOAT16);
    INDArray out16 = Nd4j.createUninitialized(DataType.BFLOAT16, outShape);
    if (mode == Mode.NATIVE) {
      Nd4j.matmul(ab, bb, out16, transA, transB, false);
    } else {
      INDArray a32 = convert(ab, DataType.FLOAT);
      INDArray b32 = convert(bb, DataType.FLOAT);
      INDArray out32 = Nd4j.createUninitialized(DataType.FLOAT, outShape);
      if (a32.rank() == 2) {
        Nd4j.gemm(a32, b32, out32, transA, transB, 1.0, 0.0);
      } else {
        Nd4j.matmul(a32, b32, out32, transA, transB, false);
      }
      out16.assign(out32);
    }
    return convert(out16, DataType.FLOAT);
  }

  /**
   * {@code out16 = op(a) @ op(b)} for 2-D BFLOAT16 operands into a BFLOAT16 output that may be a
   * contiguous row view of a larger buffer (grouped products write each group's rows in place and
   * widen the whole buffer once). Same values as {@link #product} on the same operands.
   */
  static void productInto(INDArray a16, INDArray b16, INDArray out16, boolean transA, boolean transB) {
    if (MODE == Mode.NATIVE) {
      Nd4j.matmul(a16, b16, out16, transA, transB, false);
    } else {
      INDArray out32 = Nd4j.createUninitialized(DataType.FLOAT, out16.shape());
      Nd4j.gemm(convert(a16, DataType.FLOAT), convert(b16, DataType.FLOAT), out32, transA, transB, 1.0, 0.0);
      out16.assign(out32);
    }
  }

  /** True when a product of these operands runs in bf16 (either operand is BFLOAT16). */
  static boolean involved(INDArray a, INDArray b) {
    return a.dataType() == DataType.BFLOAT16 || b.dataType() == DataType.BFLOAT16;
  }
}
