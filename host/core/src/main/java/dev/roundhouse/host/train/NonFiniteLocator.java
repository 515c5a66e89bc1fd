package dev.roundhouse.host.train;

import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.model.Block;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/**
 * Diagnostic for a non-finite loss: finds the first place NaN/Inf appears, checking the weights in model order, then
 * re-running the forward pass of the failing batch without gradients and checking the embedding, each block's output
 * (and its router losses), then the logits. Runs inside the caller's step arena; only used when a run stops.
 */
final class NonFiniteLocator {
  private NonFiniteLocator() {}

  /** Where non-finite values first appear, e.g. {@code "output of layers.1"}; a best effort, never throws. */
  static String locate(MoeTransformer model, Batch b) {
    try {
      for (Parameter p : model.parameters()) {
        if (!finite(p.data())) {
          return "weights of parameter " + p.name();
        }
      }
      try (NoGrad ng = NoGrad.enter()) {
        Tensor x = model.embed(b.inputs(), b.rows(), b.seqLen()); // [B, T, d]
        if (!finite(x.data())) {
          return "token embeddings";
        }
        List<Block> blocks = model.blocks();
        DocumentIds documents = model.documents(b.inputs(), b.rows(), b.seqLen());
        for (int i = 0; i < blocks.size(); i++) {
          x = blocks.get(i).forward(x, documents);
          if (!finite(x.data())) {
            return "output of layers." + i + " (attention '" + blocks.get(i).attentionId() + "'"
                + (blocks.get(i).moe() != null ? ", router '" + blocks.get(i).moe().routerId() + "'" : "") + ")";
          }
          if (blocks.get(i).moe() != null) {
            for (Map.Entry<String, Tensor> e : blocks.get(i).moe().lastRouting().routing().losses().entrySet()) {
              if (!finite(e.getValue().data())) {
                return "router loss '" + e.getKey() + "' of layers." + i;
              }
            }
          }
        }
        if (!finite(model.head(x).data())) {
          return "logits (final norm / output head)";
        }
      }
      return "the loss itself (every activation is finite)";
    } catch (RuntimeException e) {
      return "unknown (diagnostic pass failed: " + e + ")";
    }
  }

  static boolean finite(INDArray a) {
    return !BooleanIndexing.or(a, Conditions.isNan()) && !BooleanIndexing.or(a, Conditions.isInfinite());
  }
}
