package dev.roundhouse.host.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Structural checks of the {@code optimizerGroups} list (no model needed). */
public final class OptimizerGroupsCheck {
  private OptimizerGroupsCheck() {}

  /** Adds every problem of {@code groups} (null = absent = fine) under {@code path}. */
  public static void check(List<OptimizerGroupConfig> groups, String path, Problems p) {
    if (groups == null) {
      return;
    }
    if (groups.isEmpty()) {
      p.add(path, "must list at least one group (or be left out)");
    }
    Set<String> names = new HashSet<>();
    int rest = 0;
    for (int i = 0; i < groups.size(); i++) {
      OptimizerGroupConfig g = groups.get(i);
      String at = path + "[" + i + "]";
      if (g == null) {
        p.add(at, "must be an object");
        continue;
      }
      g.check(at, p);
      if (g.name() != null && !names.add(g.name())) {
        p.add(at + ".name", "duplicate group name \"" + g.name() + "\"");
      }
      if (g.select() != null && g.select().rest()) {
        rest++;
        if (rest > 1) {
          p.add(at + ".select.rest", "only one group may take the rest");
        }
      }
    }
  }
}
