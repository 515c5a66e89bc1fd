package dev.roundhouse.host.model;

import dev.roundhouse.api.DocumentIds;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Trainable;
import dev.roundhouse.host.config.ActivationCheckpointing;
import dev.roundhouse.tensor.Elementwise;
import dev.roundhouse.tensor.Embedding;
import dev.roundhouse.tensor.Losses;
import dev.roundhouse.tensor.MatOps;
import dev.roundhouse.tensor.Norms;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.Recompute;
import dev.roundhouse.tensor.Shapes;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoder-only MoE language model: token embedding, pre-norm blocks, final RMSNorm, LM head (tied
 * to the embedding or its own [V, d] matrix). Built by {@link ModelBuilder}.
 *
 * <p>Shape legend: B batch, T sequence, N = B*T tokens, d model width, V vocab.
 */
public final class MoeTransformer implements Trainable {
  /** Loss of one micro-batch: the cross-entropy and the sum of router losses, both scalars. */
  public record Loss(Tensor total, Tensor crossEntropy, Map<String, Tensor> routerLosses) {}

  private final Parameter embedding; // [V, d]
  private final List<Block> blocks;
  private final Parameter finalNorm; // [d]
  private final Parameter head; // [V, d], == embedding when tied
  private final double eps;
  private final PrecisionPolicy precision;
  private final List<Parameter> parameters;
  private int documentSeparator = -1; // EOS id with document masking, else -1

  MoeTransformer(Parameter embedding, List<Block> blocks, Parameter finalNorm, Parameter head, double eps,
      PrecisionPolicy precision) {
    this.embedding = embedding;
    this.blocks = List.copyOf(blocks);
    this.finalNorm = finalNorm;
    this.head = head;
    this.eps = eps;
    this.precision = precision;
    List<Parameter> all = new ArrayList<>();
    all.add(embedding);
    blocks.forEach(b -> all.addAll(b.parameters()));
    all.add(finalNorm);
    if (head != embedding) {
      all.add(head);
    }
    this.parameters = List.copyOf(all);
  }

  /**
   * Turns on document masking ({@code data.documentMask}): from now on every forward pass derives
   * per-token document ids from the {@code eos} tokens in its inputs and attention does not cross
   * them. Call before training, on the primary and every replica.
   *
   * @throws IllegalArgumentException naming the first layer whose attention plugin does not support it
   */
  public void maskDocuments(int eos) {
    if (eos < 0) {
      throw new IllegalArgumentException("document separator must be a token id >= 0, got " + eos);
    }
    for (int i = 0; i < blocks.size(); i++) {
      if (!blocks.get(i).attention().supportsDocumentMask()) {
        throw new IllegalArgumentException("data.documentMask: attention plugin '" + blocks.get(i).attentionId()
            + "' (layers." + i + ") does not support document masking (supported by mha, gqa, swa, mla)");
      }
    }
    documentSeparator = eos;
  }

  /** The EOS id document masking splits at, or -1 when off. */
  public int documentSeparator() {
    return documentSeparator;
  }

  /** Document ids [B, T] of packed inputs [B*T] when document masking is on, else null. */
  public DocumentIds documents(int[] inputs, int batch, int seqLen) {
    return documentSeparator < 0 ? null
        : DocumentIds.fromSeparators(inputs, batch, seqLen, documentSeparator, embedding.dataType());
  }

  /** inputs: [B*T] token ids, row-major -> logits [N, V]. */
  public Tensor logits(int[] inputs, int batch, int seqLen) {
    Tensor x = embed(inputs, batch, seqLen);
    DocumentIds documents = documents(inputs, batch, seqLen); // null without document masking
    for (Block b : blocks) {
      StepArena.beginSegment(); // per-block arena: freed as soon as this block's backward has run
      // without a graph (evaluation, sampling) each block's temporaries die once it has returned
      x = Recompute.withoutTemporaries(x, in -> b.forward(in, documents));
    }
    StepArena.beginSegment();
    return head(x);
  }

  /** Token embeddings, the first block's input: [B, T, d]. */
  public Tensor embed(int[] inputs, int batch, int seqLen) {
    return Shapes.reshape(Embedding.lookup(embedding, inputs), batch, seqLen, embedding.size(1));
  }

  /** Final norm and output projection of the last block's output x: [B, T, d] -> logits [B*T, V]. */
  public Tensor head(Tensor x) {
    long d = embedding.size(1);
    Tensor h = Shapes.reshape(Norms.rmsNorm(x, finalNorm, eps), x.size(0) * x.size(1), d); // [N, d]
    return MatOps.linearT(h, precision.weight(head)); // [N, V]
  }

  /** Cross-entropy of next-token prediction plus every router loss. targets: [B*T]. */
  public Loss loss(int[] inputs, int[] targets, int batch, int seqLen) {
    Tensor ce = Losses.crossEntropy(logits(inputs, batch, seqLen), targets, -1);
    Map<String, Tensor> routerLosses = new LinkedHashMap<>();
    Tensor total = ce;
    for (int i = 0; i < blocks.size(); i++) {
      MoeLayer moe = blocks.get(i).moe();
      if (moe == null) {
        continue;
      }
      for (Map.Entry<String, Tensor> e : moe.lastRouting().routing().losses().entrySet()) {
        routerLosses.merge(e.getKey(), e.getValue(), Elementwise::add);
        total = Elementwise.add(total, e.getValue());
      }
    }
    return new Loss(total, ce, routerLosses);
  }

  /** What every block recomputes in backward from the next forward on; call it between steps. */
  public void activationCheckpointing(ActivationCheckpointing mode) {
    blocks.forEach(b -> b.checkpointing(mode));
  }

  public List<Block> blocks() {
    return blocks;
  }

  /** MoE layers in depth order with their block index. */
  public Map<Integer, MoeLayer> moeLayers() {
    Map<Integer, MoeLayer> out = new LinkedHashMap<>();
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).moe() != null) {
        out.put(i, blocks.get(i).moe());
      }
    }
    return out;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }
}
