package dev.roundhouse.host.registry;

import dev.roundhouse.api.ApiVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;

/**
 * Loads and starts the plugin jars of one or more folders through PF4J, one jar at a time, so that a
 * bad jar costs one problem line naming it and every other jar still loads. Jars that PF4J accepts
 * but that cannot be used (Plugin-Requires not met, failed to start) are unloaded again.
 *
 * <p>Load order is precedence: the folders in the order given, within a folder the jars by file
 * name ({@link #jarsIn}). A jar whose {@code Plugin-Id} an earlier jar already has is skipped.
 */
final class PluginJars {
  private PluginJars() {}

  /** A JarPluginManager that stays in deployment mode even if {@code pf4j.mode} says otherwise. */
  static JarPluginManager newManager(List<Path> dirs) {
    JarPluginManager pm =
        new JarPluginManager(dirs.toArray(Path[]::new)) {
          @Override
          public RuntimeMode getRuntimeMode() {
            return RuntimeMode.DEPLOYMENT;
          }
        };
    pm.setSystemVersion(ApiVersion.CURRENT);
    return pm;
  }

  /** Loads and starts {@code jars} in this order; reports each bad one to {@code problem}. */
  static void loadAndStart(PluginManager pm, List<Path> jars, BiConsumer<Path, String> problem) {
    for (Path jar : jars) {
      String why = JarCheck.problem(jar);
      if (why == null) {
        why = load(pm, jar);
      }
      if (why != null) {
        problem.accept(jar, why);
      }
    }
    for (PluginWrapper w : new ArrayList<>(pm.getPlugins())) {
      if (w.getPluginState() == PluginState.DISABLED) {
        String requires = w.getDescriptor().getRequires();
        problem.accept(w.getPluginPath(), w.getFailedException() != null
            ? "plugin '" + w.getPluginId() + "' requires API '" + requires + "' (Plugin-Requires) but this host "
                + "provides API " + ApiVersion.CURRENT + "; skipped"
            : "plugin '" + w.getPluginId() + "' is disabled by enabled.txt/disabled.txt in "
                + w.getPluginPath().getParent() + "; skipped");
        pm.unloadPlugin(w.getPluginId());
      }
    }
    pm.startPlugins();
    for (PluginWrapper w : new ArrayList<>(pm.getPlugins())) {
      if (w.getPluginState() != PluginState.STARTED) {
        Throwable t = w.getFailedException();
        problem.accept(w.getPluginPath(), "plugin '" + w.getPluginId() + "' did not start (state "
            + w.getPluginState() + (t == null ? "" : ": " + rootMessage(t)) + "); skipped");
        pm.unloadPlugin(w.getPluginId());
      }
    }
  }

  /** Stops every started plugin (from a copy: PF4J 3.15.0's stopPlugins() throws CME), then unloads all. */
  static void stopAndUnload(PluginManager pm, BiConsumer<String, RuntimeException> onError) {
    List<PluginWrapper> started = new ArrayList<>(pm.getStartedPlugins());
    for (int i = started.size() - 1; i >= 0; i--) {
      String id = started.get(i).getPluginId();
      try {
        pm.stopPlugin(id);
      } catch (RuntimeException e) {
        onError.accept(id, e);
      }
    }
    for (PluginWrapper w : new ArrayList<>(pm.getPlugins())) {
      try {
        pm.unloadPlugin(w.getPluginId());
      } catch (RuntimeException e) {
        onError.accept(w.getPluginId(), e);
      }
    }
  }

  private static String load(PluginManager pm, Path jar) {
    String id = JarCheck.manifestValue(jar, "Plugin-Id");
    PluginWrapper same = pm.getPlugin(id);
    if (same != null) {
      return "duplicate plugin id '" + id + "': already loaded from " + same.getPluginPath()
          + ", which comes first; skipped";
    }
    try {
      pm.loadPlugin(jar);
      return null;
    } catch (RuntimeException | LinkageError e) {
      return "PF4J cannot load it: " + rootMessage(e);
    }
  }

  /** The {@code *.jar} files of {@code dir}, absolute, sorted by name. */
  static List<Path> jarsIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar"))
          .filter(Files::isRegularFile)
          .map(p -> p.toAbsolutePath().normalize())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list plugins folder " + dir, e);
    }
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }
}
