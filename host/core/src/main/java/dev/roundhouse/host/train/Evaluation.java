package dev.roundhouse.host.train;

import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.tensor.Losses;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.List;

/** Validation loss: token-weighted mean next-token cross-entropy (nats/token) over fixed batches. */
public final class Evaluation {
  /**
   * The arena evaluation runs in: the training step's own ("train"), idle between steps and
   * already sized by them, so evaluation adds no second set of arena blocks (issue 22).
   */
  public static final String EVAL_ARENA = "train";

  private Evaluation() {}

  public static double meanLoss(MoeTransformer model, List<Batch> batches) {
    double sum = 0;
    long tokens = 0;
    for (Batch b : batches) {
      try (StepArena arena = StepArena.open(EVAL_ARENA); NoGrad ng = NoGrad.enter()) {
        Tensor logits = model.logits(b.inputs(), b.rows(), b.seqLen()); // [N, V]
        sum += Losses.crossEntropy(logits, b.targets(), -1).item() * b.tokenCount();
        tokens += b.tokenCount();
      }
    }
    if (tokens == 0) {
      throw new IllegalStateException("no validation tokens");
    }
    return sum / tokens;
  }

  /** Bits per byte for a byte-level tokenizer (one token = one byte). */
  public static double bitsPerByte(double natsPerToken) {
    return natsPerToken / Math.log(2);
  }
}
