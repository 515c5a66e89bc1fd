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
 * <p>Product: both operands in BFLOAT16, fp32 accumulation, an fp32 result (not rounded to bf16:
 * the fp32 ops that follow take it as it is, and a backward product adds it straight into the fp32
 * gradient). On the CPU it runs on oneDNN's bf16 matmul called directly ({@link DnnlMatmul}; ND4J
 * 1.0.0-M2.1's MatMul op writes bf16 only and costs a widening pass and 70-85 us of set-up per
 * call); never {@code INDArray.mmul}, whose bf16 path is a generic loop ~1000x slower. On CUDA it
 * runs ND4J's MatMul op in bf16 (cuBLAS; its bf16 result is widened).
 *
 * <p>Mode, decided once per process: {@code native} when the backend is CUDA (cuBLAS bf16 gemm), or
 * the CPU has avx512_bf16 or amx_bf16 in /proc/cpuinfo and oneDNN has a bf16 matmul kernel here;
 * otherwise {@code emulated}: the bf16 operands are widened exactly to FLOAT and multiplied by the
 * fp32 product. Both modes give the same values up to the order of the fp32 accumulation (on CUDA
 * the native result is rounded to bf16 once, as PyTorch's autocast does).
 * {@code -Droundhouse.bf16.products=native|emulated} overrides the detection (tests).
 *
 * <p>Casts use {@code assign} into a new array of the target type (one whole-array pass, ~3x
 * faster here than {@code castTo}), allocated in the current workspace. Thread-safe (stateless
 * apart from the mode, fixed at class initialisation).
 */
public final class Bf16 {
  /** How bf16 products run in this process. */
  public enum Mode { NATIVE, EMULATED }

  /** True on ND4J's CUDA backend (decided once: read by every bf16 product oneDNN does not run). */
  private static final boolean CUDA = cudaBackend();
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
      return "native (" + (cuda() ? "CUDA bf16 gemm" : flags + ", oneDNN " + DnnlMatmul.kernel(DataType.BFLOAT16)) + ")";
    }
    String why = flags.isEmpty() ? "CPU has no avx512_bf16/amx_bf16"
        : !oneDnnBf16() ? "oneDNN has no bf16 matmul here (" + DnnlMatmul.describe() + ")"
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
    return CUDA;
  }

  private static boolean cudaBackend() {
    return DnnlMatmul.cudaBackend();
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
    return cuda() || (!cpuBf16Flags().isEmpty() && oneDnnBf16()) ? Mode.NATIVE : Mode.EMULATED;
  }

  private static boolean oneDnnBf16() {
    return !DnnlMatmul.kernel(DataType.BFLOAT16).equals("unsupported");
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
    return Tensor.straightThrough(convert(x.data(), DataType.BFLOAT16), x);
  }

  /**
   * {@code op(a) @ op(b)} with bf16 operands (a FLOAT/DOUBLE operand is rounded to bf16 first),
   * fp32 accumulation, returned as FLOAT. Shapes as {@link MatOps#gemm}.
   */
  static INDArray product(INDArray a, INDArray b, boolean transA, boolean transB, long... outShape) {
    return product(MODE, a, b, transA, transB, DnnlMatmul.Varying.NONE, outShape);
  }

  /** {@link #product} where one dim changes from call to call (see {@link DnnlMatmul.Varying}). */
  static INDArray product(INDArray a, INDArray b, boolean transA, boolean transB, DnnlMatmul.Varying varying,
                          long... outShape) {
    return product(MODE, a, b, transA, transB, varying, outShape);
  }

  /** {@link #product} in a given mode (tests compare the two). */
  static INDArray product(Mode mode, INDArray a, INDArray b, boolean transA, boolean transB, long... outShape) {
    return product(mode, a, b, transA, transB, DnnlMatmul.Varying.NONE, outShape);
  }

  private static INDArray product(Mode mode, INDArray a, INDArray b, boolean transA, boolean transB,
                                  DnnlMatmul.Varying varying, long... outShape) {
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, outShape); // every element written
    productInto(mode, convert(a, DataType.BFLOAT16), convert(b, DataType.BFLOAT16), out, transA, transB, false, varying);
    return out;
  }

  /**
   * {@code out32 = op(a16) @ op(b16)} or, with {@code accumulate}, {@code out32 += op(a16) @ op(b16)}
   * for BFLOAT16 operands into a FLOAT output that may be a contiguous row view of a larger buffer
   * (grouped products write each group's rows in place) or a parameter's gradient. 2-D or batched
   * 3-D as {@link MatOps#gemm}. Same values as {@link #product} on the same operands.
   */
  static void productInto(INDArray a16, INDArray b16, INDArray out32, boolean transA, boolean transB, boolean accumulate) {
    productInto(MODE, a16, b16, out32, transA, transB, accumulate, DnnlMatmul.Varying.NONE);
  }

  /** {@link #productInto} where one dim changes from call to call (see {@link DnnlMatmul.Varying}). */
  static void productInto(INDArray a16, INDArray b16, INDArray out32, boolean transA, boolean transB, boolean accumulate,
                          DnnlMatmul.Varying varying) {
    productInto(MODE, a16, b16, out32, transA, transB, accumulate, varying);
  }

  /**
   * The one bf16 product kernel. NATIVE on the CPU: oneDNN's bf16 x bf16 -> fp32 matmul directly
   * ({@link DnnlMatmul}), accumulating with its sum post-op. NATIVE on CUDA: ND4J's MatMul op in
   * bf16 (cuBLAS, bf16 result widened). EMULATED, or when oneDNN cannot run it: the bf16 operands
   * widened exactly to FLOAT and multiplied by the fp32 product ({@link MatOps#gemmInto}); same
   * values up to the order of the fp32 accumulation.
   */
  private static void productInto(Mode mode, INDArray a16, INDArray b16, INDArray out32, boolean transA,
                                  boolean transB, boolean accumulate, DnnlMatmul.Varying varying) {
    if (mode == Mode.NATIVE && DnnlMatmul.gemm(a16, b16, out32, transA, transB, accumulate, varying)) {
      return;
    }
    if (mode == Mode.NATIVE && cuda()) {
      INDArray out16 = Nd4j.createUninitialized(DataType.BFLOAT16, out32.shape());
      Nd4j.matmul(a16, b16, out16, transA, transB, false);
      if (accumulate) {
        out32.addi(out16);
      } else {
        out32.assign(out16);
      }
      return;
    }
    MatOps.gemmInto(convert(a16, DataType.FLOAT), convert(b16, DataType.FLOAT), out32, transA, transB, accumulate, varying);
  }

  /** True when a product of these operands runs in bf16 (either operand is BFLOAT16). */
  static boolean involved(INDArray a, INDArray b) {
    return a.dataType() == DataType.BFLOAT16 || b.dataType() == DataType.BFLOAT16;
  }
}
