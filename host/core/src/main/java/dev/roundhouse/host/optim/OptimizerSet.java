package dev.roundhouse.host.optim;

import dev.roundhouse.api.Optimizer;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The run's optimizer: one plugin optimizer per parameter group, driven as one {@link Optimizer}.
 * {@link #step} steps every group with the schedule factor times the group's multiplier; state
 * keys are {@code <group>/<optimizer key>} (e.g. {@code matrices/layers.0.attn.wq/b}); {@link
 * #learningRate()} is the first group's peak lr (the step metric's lr). Not thread-safe.
 */
public final class OptimizerSet implements Optimizer {
  /** One group: its name, optimizer id, parameters, optimizer, schedule multiplier, weight decay (NaN = n/a). */
  public record Group(String name, String type, List<Parameter> params, Optimizer optimizer, double scheduleMultiplier,
      double weightDecay, String selector) {
    public Group {
      params = List.copyOf(params);
    }

    public long numel() {
      return params.stream().mapToLong(Parameter::numel).sum();
    }
  }

  private final List<Group> groups;

  public OptimizerSet(List<Group> groups) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("an optimizer set needs at least one group");
    }
    this.groups = List.copyOf(groups);
  }

  public List<Group> groups() {
    return groups;
  }

  @Override
  public void step(double lrFactor) {
    for (Group g : groups) {
      g.optimizer().step(lrFactor * g.scheduleMultiplier());
    }
  }

  @Override
  public double learningRate() {
    return groups.get(0).optimizer().learningRate();
  }

  /** Every group's state, keys prefixed with {@code <group>/}. */
  @Override
  public Map<String, INDArray> state() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Group g : groups) {
      g.optimizer().state().forEach((k, v) -> out.put(g.name() + "/" + k, v));
    }
    return out;
  }

  /** Hands each group the keys under its prefix; a group with none fails naming the group. */
  @Override
  public void loadState(Map<String, INDArray> state) {
    for (Group g : groups) {
      String prefix = g.name() + "/";
      Map<String, INDArray> mine = new LinkedHashMap<>();
      state.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          mine.put(k.substring(prefix.length()), v);
        }
      });
      if (mine.isEmpty()) {
        throw new IllegalArgumentException("optimizer state has no entries for group '" + g.name()
            + "' (keys '" + prefix + "...'); was the checkpoint written with other optimizerGroups?");
      }
      g.optimizer().loadState(mine);
    }
  }

  /** The start-up table: group, optimizer, #tensors, #params, lr, wd, schedule multiplier, selector. */
  public String table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"group", "optimizer", "tensors", "params", "lr", "wd", "sched", "select"});
    for (Group g : groups) {
      rows.add(new String[] {g.name(), g.type(), String.valueOf(g.params().size()), String.valueOf(g.numel()),
          String.format(java.util.Locale.ROOT, "%.3g", g.optimizer().learningRate()),
          Double.isNaN(g.weightDecay()) ? "-" : String.format(java.util.Locale.ROOT, "%.3g", g.weightDecay()),
          String.format(java.util.Locale.ROOT, "%.3g", g.scheduleMultiplier()), g.selector()});
    }
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(String.format("%-" + w[i] + "s", r[i])).append(i + 1 < r.length ? "  " : "");
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  /** The table as JSON-friendly rows for the run record. */
  public List<Map<String, Object>> rows() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Group g : groups) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("group", g.name());
      r.put("optimizer", g.type());
      r.put("tensors", g.params().size());
      r.put("params", g.numel());
      r.put("lr", g.optimizer().learningRate());
      r.put("weight_decay", Double.isNaN(g.weightDecay()) ? null : g.weightDecay());
      r.put("schedule_multiplier", g.scheduleMultiplier());
      r.put("select", g.selector());
      out.add(r);
    }
    return out;
  }
}
