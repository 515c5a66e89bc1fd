package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.data.tokenizer.TokenizerSpec;
import java.util.List;

/**
 * A whole run: what to train (model + plugin choices), on what (data), how (train, optimizer,
 * precision), and optionally from which weights ({@code init}, absent = random). {@code tokenizer} (default byte)
 * encodes text data; see {@link TokenizerSpec}. Plugin sections are JSON objects {"type": id, ...} resolved through the registry.
 * {@code optimizerGroups} (optional) maps parameter groups to optimizers; when absent the single
 * {@code optimizer} section applies to every parameter (see {@link OptimizerGroupConfig}).
 */
public record RunConfig(
    String name,
    Long seed,
    DataSpec data,
    TokenizerSpec tokenizer,
    ModelConfig model,
    JsonNode precision,
    JsonNode optimizer,
    List<OptimizerGroupConfig> optimizerGroups,
    TrainConfig train,
    InitConfig init) {
  public RunConfig {
    name = name == null ? "run" : name;
    seed = seed == null ? 1337L : seed;
    data = data == null ? DataSpec.defaults() : data;
    tokenizer = tokenizer == null ? TokenizerSpec.defaults() : tokenizer;
    model = model == null ? new ModelConfig(null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null) : model;
    precision = PluginSlot.PRECISION.orDefault(precision);
    optimizer = PluginSlot.OPTIMIZER.orDefault(optimizer);
    optimizerGroups = optimizerGroups == null ? null : java.util.Collections.unmodifiableList(
        new java.util.ArrayList<>(optimizerGroups));
    train = train == null ? new TrainConfig(null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null, null, null) : train;
  }

  /** Structural checks of the host's own fields (plugin configs are checked by the registry). */
  public Problems check() {
    Problems p = new Problems();
    if (!name.matches("[A-Za-z0-9._-]{1,80}") || name.matches("\\.+")) {
      // ".." and "." would name the runs folder's parent or the folder itself
      p.add("name", "must be 1-80 characters of letters, digits, '.', '_' or '-', not only dots, got \""
          + Problems.cut(name) + "\"");
    }
    model.check("model", p);
    train.check("train", p);
    for (PluginSlot slot : new PluginSlot[] {PluginSlot.PRECISION, PluginSlot.OPTIMIZER}) {
      JsonNode n = slot == PluginSlot.PRECISION ? precision : optimizer;
      if (!n.isObject() || !n.hasNonNull("type")) {
        p.add(slot.path(), "must be an object with a \"type\" naming a plugin");
      }
    }
    OptimizerGroupsCheck.check(optimizerGroups, "optimizerGroups", p);
    if (init != null) {
      init.check("init", p);
    }
    return p;
  }
}
