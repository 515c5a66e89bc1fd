package dev.roundhouse.host.train;

import dev.roundhouse.host.data.Mixture;
import dev.roundhouse.host.data.prepare.EosToken;
import dev.roundhouse.host.data.Tokenizer;
import dev.roundhouse.host.data.tokenizer.TokenBytes;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import dev.roundhouse.host.metrics.RunEvent;
import dev.roundhouse.host.data.Batch;
import dev.roundhouse.host.data.TokenStream;
import dev.roundhouse.host.data.ValidationBatches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Eval for runs whose tokens are not bytes or whose data is a prepared mixture: the eval event's bits
 * per byte from the targets' true byte lengths, and a {@code data} event with epochs, loss and bits
 * per byte per source. Byte-tokenizer runs on plain data keep the original eval path. Called from
 * the training thread only.
 */
final class DataAccounting {

  private static final Map<TrainingRun, List<Batch>> PER_SOURCE = new java.util.WeakHashMap<>();

  private DataAccounting() {}

  static boolean needed(TrainingRun run) {
    return run.data().mixture() != null || !run.config().tokenizer().equals(TokenizerSpec.defaults());
  }

  /** Evaluates, publishes the eval (and, for a mixture, the data) event; returns the eval event. */
  static RunEvent.Eval evalAndPublish(TrainingRun run, long step, int evalBatches) {
    Tokenizer tok = run.config().tokenizer().open();
    int[] bytes = TokenBytes.of(tok);
    Mixture mix = run.data().mixture();
    if (mix != null) {
      bytes[EosToken.of(tok)] = 0; // the separator is not text
    }
    List<Batch> batches = mix == null ? run.validation().batches(evalBatches) : perSource(run, evalBatches);
    SourceEvaluation e = SourceEvaluation.of(run.model(), batches, bytes, mix == null ? 0 : mix.size());
    RunEvent.Eval eval = new RunEvent.Eval(step, e.loss(), e.bitsPerByte());
    run.events().publish(eval);
    if (mix != null) {
      Map<String, Double> epochs = new LinkedHashMap<>();
      Map<String, Double> loss = new LinkedHashMap<>();
      Map<String, Double> bpb = new LinkedHashMap<>();
      double[] seen = run.loader().epochsSeen();
      for (int s = 0; s < mix.size(); s++) {
        String name = mix.names().get(s);
        epochs.put(name, seen[s]);
        if (!Double.isNaN(e.domainLoss()[s])) {
          loss.put(name, e.domainLoss()[s]);
          bpb.put(name, e.domainBitsPerByte()[s]);
        }
      }
      run.events().publish(new RunEvent.Data(step, epochs, loss, bpb));
    }
    return eval;
  }

  /**
   * Validation batches of a mixture: each source's own validation tokens (windows never cross
   * sources), the first ceil(evalBatches / sources) batches of each, fixed for the run.
   */
  static synchronized List<Batch> perSource(TrainingRun run, int evalBatches) {
    return PER_SOURCE.computeIfAbsent(run, r -> {
      TokenStream val = r.data().val();
      int sources = r.data().mixture().size();
      int each = Math.max(1, (evalBatches + sources - 1) / sources);
      List<Batch> out = new ArrayList<>();
      int from = 0;
      byte[] dom = val.domains();
      while (from < val.size()) {
        int to = from;
        while (to < val.size() && dom[to] == dom[from]) {
          to++;
        }
        TokenStream part = val.slice(from, to, val.source() + " " + val.domainNames().get(dom[from]));
        if (part.size() > r.loader().seqLen()) {
          out.addAll(new ValidationBatches(part, r.loader().batchSize(), r.loader().seqLen()).batches(each));
        }
        from = to;
      }
      return out;
    });
  }
}
