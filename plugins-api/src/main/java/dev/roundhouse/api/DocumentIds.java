package dev.roundhouse.api;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which document each position of a packed batch belongs to, for attention with document masking
 * ({@code data.documentMask}): query i may see key j only when both carry the same id (and j is
 * visible causally, within the block's window).
 *
 * <p>Made by the host once per forward pass from the batch's tokens: documents are packed with an
 * end-of-document (EOS) token after each, so a position's id is the number of EOS tokens strictly
 * before it in its row ({@link #fromSeparators}); an EOS belongs to the document it ends. Ids only
 * compare within a row; the first (partial) document of a row has id 0.
 *
 * <p>Immutable by contract (implementations must not write to {@link #ids}); shared by every layer
 * of one forward pass, so safe to read from the thread running that pass.
 *
 * @param ids [B, T] floating-point document ids (small non-negative integers), non-decreasing along T
 * @since 1.1.0
 */
public record DocumentIds(INDArray ids) {
  public DocumentIds {
    if (ids == null || ids.rank() != 2 || !ids.dataType().isFPType()) {
      throw new IllegalArgumentException("document ids must be a floating-point [B, T] array, got "
          + (ids == null ? "null" : ids.dataType() + " " + Arrays.toString(ids.shape())));
    }
  }

  /** B, the rows of the batch. */
  public long rows() {
    return ids.size(0);
  }

  /** T, positions per row. */
  public long positions() {
    return ids.size(1);
  }

  /**
   * Ids from packed token rows: tokens [B*T] row-major; id = count of {@code eos} tokens strictly
   * before the position in its row (whole-array: an exclusive cumulative sum of {@code tokens == eos}).
   */
  public static DocumentIds fromSeparators(int[] tokens, int rows, int seqLen, int eos, DataType dtype) {
    if (tokens.length != rows * seqLen) {
      throw new IllegalArgumentException("tokens (" + tokens.length + ") do not match [" + rows + ", " + seqLen + "]");
    }
    INDArray isEos = Nd4j.createFromArray(tokens).reshape(rows, seqLen).eq(eos).castTo(dtype); // [B, T] 0/1
    INDArray ids = isEos.cumsum(1).subi(isEos); // [B, T] exclusive prefix count
    return new DocumentIds(ids);
  }
}
