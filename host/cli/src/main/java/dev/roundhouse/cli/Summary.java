package dev.roundhouse.cli;

import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.train.TrainingRun;
import java.util.Locale;

/** The start-up summary printed before training. */
final class Summary {
  private Summary() {}

  static String describe(TrainingRun run) {
    ModelConfig m = run.config().model();
    var moe = m.moe();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "model: %d layers, d=%d, %d heads, T=%d, vocab %d; FFN: %d dense (hidden %d), "
        + "MoE %d routed experts (hidden %d) top-%d + %d shared (hidden %d), %s%n",
        m.nLayers(), m.dModel(), m.nHeads(), m.seqLen(), m.vocabSize(), moe.firstDenseLayers(), moe.denseHidden(),
        moe.routedExperts(), moe.expertHidden(), moe.topK(), moe.sharedExperts(), moe.sharedHidden(),
        moe.capacityFactor() == null ? "dropless" : "capacity factor " + moe.capacityFactor()));
    b.append(String.format(Locale.ROOT, "plugins: attention %s, router %s, precision %s, optimizer %s%n",
        m.attention().path("type").asText(), moe.router().path("type").asText(),
        run.config().precision().path("type").asText(), run.config().optimizer().path("type").asText()));
    b.append(run.summary().describe()).append('\n');
    b.append(run.optimizer().table());
    if (!run.optimizer().table().endsWith("\n")) {
      b.append('\n');
    }
    b.append(String.format(Locale.ROOT, "data: %s (train %,d tokens, val %,d tokens); %d tokens/step, %d steps",
        run.data().train().source(), run.data().train().size(), run.data().val().size(), run.tokensPerStep(),
        run.config().train().steps()));
    int shards = run.config().train().dataParallel();
    if (shards > 1) {
      b.append(String.format(Locale.ROOT, "; %d data-parallel shards of %d sequences, one thread each", shards,
          run.config().train().batchSize() / shards));
    }
    return b.toString();
  }
}
