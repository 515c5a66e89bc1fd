package dev.roundhouse.host.optim;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.OptimizerGroupConfig;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts every parameter into exactly one optimizer group. A parameter no group selects, or that
 * more than one non-rest group selects, is an error naming the parameter and the groups; so is a
 * group that selects nothing (usually a mistyped glob). Parameters keep model order within a group.
 */
public final class GroupAssignment {
  private GroupAssignment() {}

  /** members.get(i) = the parameters of groups.get(i). */
  public static List<List<Parameter>> assign(List<Parameter> params, List<OptimizerGroupConfig> groups, String path) {
    List<List<Parameter>> members = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      members.add(new ArrayList<>());
    }
    int restGroup = -1;
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).select().rest()) {
        restGroup = i;
      }
    }
    List<String> problems = new ArrayList<>();
    for (Parameter p : params) {
      List<Integer> hits = new ArrayList<>();
      for (int i = 0; i < groups.size(); i++) {
        if (groups.get(i).select().matches(p.name(), p.role(), p.rank())) {
          hits.add(i);
        }
      }
      if (hits.isEmpty() && restGroup >= 0) {
        hits.add(restGroup);
      }
      if (hits.size() == 1) {
        members.get(hits.get(0)).add(p);
      } else if (hits.isEmpty()) {
        problems.add(path + ": parameter '" + p.name() + "' (role " + p.role().name().toLowerCase(java.util.Locale.ROOT)
            + ", rank " + p.rank() + ") matches no group; add a selector for it or a group with \"select\": {\"rest\": true}");
      } else {
        List<String> names = hits.stream().map(i -> path + "[" + i + "] '" + groups.get(i).name() + "'").toList();
        problems.add(path + ": parameter '" + p.name() + "' matches more than one group: " + String.join(", ", names));
      }
    }
    for (int i = 0; i < groups.size(); i++) {
      if (members.get(i).isEmpty()) {
        problems.add(path + "[" + i + "] '" + groups.get(i).name() + "': selects no parameter ("
            + groups.get(i).select().describe() + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("config", problems);
    }
    return members;
  }
}
