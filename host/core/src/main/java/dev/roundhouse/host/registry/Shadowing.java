package dev.roundhouse.host.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The providers that lost to an earlier provider of the same kind and id (see the precedence rule of
 * {@link PluginRegistry}), reported as one line per (shadowed jar, winning source).
 */
final class Shadowing {
  private record Pair(ExtensionInfo shadowed, ExtensionInfo winner) {}

  private final Map<String, List<Pair>> byJarAndWinner = new LinkedHashMap<>();

  /** {@code shadowed} is ignored because {@code winner} comes first. */
  void add(ExtensionInfo shadowed, ExtensionInfo winner) {
    byJarAndWinner.computeIfAbsent(shadowed.source() + "\n" + winner.source(), k -> new ArrayList<>())
        .add(new Pair(shadowed, winner));
  }

  /**
   * One line per shadowed jar and winner: {@code <jar>: duplicate router id 'softmax-topk' (also in
   * <winner>, which comes first); ignored here}; a plugin none of whose extensions is used (not in
   * {@code usedPluginIds}) gets "the jar is not used".
   */
  void report(Set<String> usedPluginIds, Consumer<String> problem) {
    for (List<Pair> pairs : byJarAndWinner.values()) {
      ExtensionInfo first = pairs.get(0).shadowed();
      List<String> ids = pairs.stream().map(p -> p.shadowed().kind().label() + " id '" + p.shadowed().id() + "'")
          .toList();
      problem.accept(first.source() + ": duplicate " + String.join(", duplicate ", ids) + " (also in "
          + pairs.get(0).winner().source() + ", which comes first); ignored here"
          + (usedPluginIds.contains(first.pluginId()) ? "" : ", so the jar is not used"));
    }
  }

  /** Plugin ids (of jars) that had only shadowed extensions. */
  List<String> pluginsWithout(Set<String> usedPluginIds) {
    return byJarAndWinner.values().stream().map(p -> p.get(0).shadowed().pluginId())
        .filter(id -> id != null && !usedPluginIds.contains(id)).distinct().toList();
  }
}
