package dev.roundhouse.host.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of the run config's {@code optimizerGroups} list:
 * <pre>{@code
 * {"name": "matrices", "select": {"roles": ["attention", "routed_expert"], "rank": 2},
 *  "optimizer": {"type": "muon", "lr": 3e-3, "weightDecay": 0.1}, "scheduleMultiplier": 1.0}
 * }</pre>
 *
 * @param name group name: unique, [A-Za-z0-9_-]+; prefixes the group's optimizer state keys
 * @param select which parameters (see {@link ParamSelector})
 * @param optimizer the optimizer plugin section {@code {"type": id, ...}} with the group's lr and
 *     weight decay; absent = the run config's top-level {@code optimizer} section
 * @param scheduleMultiplier multiplies the schedule factor handed to this group's optimizer each
 *     step (effective lr = lr * schedule(step) * scheduleMultiplier); default 1, >= 0
 * @param decay which parameters take the optimizer's weight decay: absent = the default rule
 *     (matrices only; never norms, biases or routers), true = all of the group, false = none
 */
public record OptimizerGroupConfig(String name, ParamSelector select, JsonNode optimizer, Double scheduleMultiplier,
    Boolean decay) {
  public OptimizerGroupConfig {
    scheduleMultiplier = scheduleMultiplier == null ? 1.0 : scheduleMultiplier;
    optimizer = optimizer == null || optimizer.isNull() || optimizer.isMissingNode() ? null : optimizer;
  }

  void check(String path, Problems p) {
    if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
      p.add(path + ".name", "must be letters, digits, '_' or '-', got " + (name == null ? "nothing" : "\"" + name + "\""));
    }
    if (select == null) {
      p.add(path + ".select", "is required (e.g. {\"roles\": [\"attention\"]} or {\"rest\": true})");
    } else {
      select.check(path + ".select", p);
    }
    if (optimizer != null && (!optimizer.isObject() || !optimizer.hasNonNull("type"))) {
      p.add(path + ".optimizer", "must be an object with a \"type\" naming a plugin");
    }
    if (!(scheduleMultiplier >= 0) || scheduleMultiplier.isInfinite()) {
      p.add(path + ".scheduleMultiplier", "must be >= 0 and finite, got " + scheduleMultiplier);
    }
  }
}
