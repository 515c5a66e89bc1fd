package dev.roundhouse.host.train;

import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Validation loss and bits per byte, overall and per domain (a prepared dataset's sources): the
 * per-token cross-entropy is {@code logsumexp(logits_i) - logits_i[target_i]}, computed with whole-array
 * ops; bits per byte is the summed loss in bits over the summed UTF-8 byte length of the target
 * tokens (from the tokenizer, separators counting 0), so it is comparable across tokenizers.
 *
 * @param loss mean nats per target token
 * @param bitsPerByte bits per byte of target text
 * @param domainLoss mean nats per token of each domain (NaN where a domain has no target)
 * @param domainBitsPerByte bits per byte of each domain
 */
public record SourceEvaluation(double loss, double bitsPerByte, double[] domainLoss, double[] domainBitsPerByte) {

  /**
   * @param tokenBytes UTF-8 byte length of every token id
   * @param domains number of domains (0 when the batches carry none)
   */
  public static SourceEvaluation of(MoeTransformer model, List<Batch> batches, int[] tokenBytes, int domains) {
    double nats = 0;
    long tokens = 0;
    long bytes = 0;
    double[] dNats = new double[domains];
    long[] dTokens = new long[domains];
    long[] dBytes = new long[domains];
    for (Batch b : batches) {
      double[] perToken;
      try (StepArena arena = StepArena.open(Evaluation.EVAL_ARENA); NoGrad ng = NoGrad.enter()) {
        INDArray logits = model.logits(b.inputs(), b.rows(), b.seqLen()).data(); // [N, V]
        INDArray max = logits.max(true, 1); // [N, 1]
        INDArray lse = Transforms.log(Transforms.exp(logits.subColumnVector(max), true).sum(true, 1), false)
            .addi(max); // [N, 1]
        int[] t = b.targets();
        double[] lseRows = lse.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        perToken = new double[t.length];
        for (int i = 0; i < t.length; i++) { // N scalar reads per eval batch, not a training hot path
          perToken[i] = lseRows[i] - logits.getDouble(i, t[i]);
        }
      }
      byte[] dom = b.targetDomains();
      for (int i = 0; i < perToken.length; i++) {
        int len = tokenBytes[b.targets()[i]];
        nats += perToken[i];
        bytes += len;
        if (dom != null && domains > 0) {
          dNats[dom[i]] += perToken[i];
          dTokens[dom[i]]++;
          dBytes[dom[i]] += len;
        }
      }
      tokens += perToken.length;
    }
    if (tokens == 0) {
      throw new IllegalStateException("no validation tokens");
    }
    double[] dLoss = new double[domains];
    double[] dBpb = new double[domains];
    for (int d = 0; d < domains; d++) {
      dLoss[d] = dTokens[d] == 0 ? Double.NaN : dNats[d] / dTokens[d];
      dBpb[d] = dBytes[d] == 0 ? Double.NaN : dNats[d] / Math.log(2) / dBytes[d];
    }
    return new SourceEvaluation(nats / tokens, bytes == 0 ? Double.NaN : nats / Math.log(2) / bytes, dLoss, dBpb);
  }
}
