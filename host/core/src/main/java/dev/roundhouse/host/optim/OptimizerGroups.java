package dev.roundhouse.host.optim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.ParallelLoop;
import dev.roundhouse.host.config.OptimizerGroupConfig;
import dev.roundhouse.host.config.PluginSlot;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the run's {@link OptimizerSet} from the config: with no {@code optimizerGroups}, one group
 * "all" over every parameter with the top-level {@code optimizer} section and the default decay
 * rule; otherwise one optimizer per listed group over the parameters {@link GroupAssignment} gives it.
 */
public final class OptimizerGroups {
  /** How a plugin optimizer is made and its section resolved (the host's registry, or a test double). */
  public interface Factory {
    Optimizer build(JsonNode section, OptimizerContext context, String jsonPath);

    /** The section with every default filled in (to read its weightDecay for the table). */
    JsonNode resolved(JsonNode section, String jsonPath);
  }

  /** The JSON path of the groups list in the run config. */
  public static final String PATH = PluginSlot.OPTIMIZER_GROUPS;

  private OptimizerGroups() {}

  /** The section group i uses: its own optimizer, else the top-level one. */
  public static JsonNode sectionOf(OptimizerGroupConfig g, JsonNode topLevel) {
    return g.optimizer() != null ? g.optimizer() : topLevel;
  }

  /** The JSON path of group i's optimizer section (the top-level path when it inherits). */
  public static String pathOf(List<OptimizerGroupConfig> groups, int i) {
    return groups.get(i).optimizer() != null ? PluginSlot.groupOptimizer(i) : PluginSlot.OPTIMIZER.path();
  }

  public static OptimizerSet build(JsonNode topLevel, List<OptimizerGroupConfig> groups, List<Parameter> params,
      Factory factory) {
    return build(topLevel, groups, params, factory, ParallelLoop.SEQUENTIAL);
  }

  /** As above; each group's optimizer gets {@code parallel} for its per-parameter updates. */
  public static OptimizerSet build(JsonNode topLevel, List<OptimizerGroupConfig> groups, List<Parameter> params,
      Factory factory, ParallelLoop parallel) {
    List<OptimizerSet.Group> out = new ArrayList<>();
    if (groups == null) {
      Optimizer o = factory.build(topLevel, new OptimizerContext("all", params, DecayRule::defaults, parallel),
          PluginSlot.OPTIMIZER.path());
      out.add(group("all", topLevel, params, o, 1.0, factory, PluginSlot.OPTIMIZER.path(), "all"));
      return new OptimizerSet(out);
    }
    List<List<Parameter>> members = GroupAssignment.assign(params, groups, PATH);
    for (int i = 0; i < groups.size(); i++) {
      OptimizerGroupConfig g = groups.get(i);
      JsonNode section = sectionOf(g, topLevel);
      String path = pathOf(groups, i);
      Optimizer o = factory.build(section,
          new OptimizerContext(g.name(), members.get(i), DecayRule.of(g.decay()), parallel), path);
      out.add(group(g.name(), section, members.get(i), o, g.scheduleMultiplier(), factory, path, g.select().describe()));
    }
    return new OptimizerSet(out);
  }

  private static OptimizerSet.Group group(String name, JsonNode section, List<Parameter> params, Optimizer o,
      double mult, Factory factory, String path, String selector) {
    JsonNode wd = factory.resolved(section, path).get("weightDecay");
    return new OptimizerSet.Group(name, section.path("type").asText(), params, o, mult,
        wd != null && wd.isNumber() ? wd.asDouble() : Double.NaN, selector);
  }
}
