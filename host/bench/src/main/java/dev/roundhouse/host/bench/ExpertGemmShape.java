package dev.roundhouse.host.bench;

import java.util.Locale;

/**
 * One of the six distinct (shape, transpose) gemms among the 9 of one routed expert's SwiGLU
 * forward + backward ({@link ExpertGemmBench}), written as
 * op(A) op(B) with A [aRows, aCols], B [bRows, bCols] in terms of n rows, d and h.
 */
public enum ExpertGemmShape {
  X_WT("gate/up fwd: x W1^T", 'n', 'd', 'h', 'd', false, true),
  H_W2T("down fwd: H W2^T", 'n', 'h', 'd', 'h', false, true),
  DYT_H("dW2 = dy^T H", 'n', 'd', 'n', 'h', true, false),
  DY_W2("dH = dy W2", 'n', 'd', 'd', 'h', false, false),
  DGT_X("dW1/dW3 = dG^T x", 'n', 'h', 'n', 'd', true, false),
  DG_W1("dX = dG W1", 'n', 'h', 'h', 'd', false, false);

  private final String label;
  private final char[] dims;
  private final boolean transA;
  private final boolean transB;

  ExpertGemmShape(String label, char aRows, char aCols, char bRows, char bCols, boolean transA, boolean transB) {
    this.label = label;
    this.dims = new char[] {aRows, aCols, bRows, bCols};
    this.transA = transA;
    this.transB = transB;
  }

  /** "dW2 = dy^T H [512x256]^T [512x128]" for the sizes of {@code cfg}. */
  public String describe(ExpertGemmBench.Config cfg) {
    long[] s = sizes(cfg);
    return String.format(Locale.ROOT, "%s [%dx%d]%s[%dx%d]%s", label, s[0], s[1], transA ? "^T " : " ", s[2], s[3],
        transB ? "^T" : "");
  }

  boolean transA() {
    return transA;
  }

  boolean transB() {
    return transB;
  }

  long[] sizes(ExpertGemmBench.Config cfg) {
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = switch (dims[i]) {
        case 'n' -> cfg.rowsPerExpert();
        case 'd' -> cfg.dModel();
        default -> cfg.hidden();
      };
    }
    return out;
  }
}
