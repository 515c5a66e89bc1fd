package dev.roundhouse.cli;

import dev.roundhouse.host.registry.ExtensionInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code roundhouse plugins}: the folders read, then per extension one line (kind, id, version, source jar)
 * followed by its description and its config fields with their defaults, e.g.
 *
 * <pre>
 * router     softmax-topk     0.1.0          /opt/roundhouse/plugins/roundhouse-routers.jar
 *            softmax over experts, top-k, renormalised gates
 *            config: auxLossCoef=0.01, zLossCoef=0.001, ...
 * </pre>
 */
final class PluginListing {
  private static final String ROW = "%-10s %-16s %-14s %s%n";
  private static final String INDENT = " ".repeat(11);

  private PluginListing() {}

  static void print(PluginRegistry registry, PrintStream out) {
    List<Path> dirs = registry.pluginsDirs();
    out.println((dirs.size() == 1 ? "plugins folder: " : "plugins folders (earlier ones win duplicate ids): ")
        + dirs.stream().map(Path::toString).collect(Collectors.joining(", ")));
    out.printf(ROW, "KIND", "ID", "VERSION", "SOURCE");
    for (ExtensionInfo e : registry.extensions()) {
      out.printf(ROW, e.kind().label(), e.id(), e.version(), e.source());
      if (!e.description().isBlank()) {
        out.println(INDENT + e.description());
      }
      List<String> fields = registry.configFields(e.kind(), e.id());
      out.println(INDENT + "config: " + (fields.isEmpty() ? "(no fields)" : String.join(", ", fields)));
    }
  }
}
