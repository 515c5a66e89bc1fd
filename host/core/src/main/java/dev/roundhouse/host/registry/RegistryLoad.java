package dev.roundhouse.host.registry;

import dev.roundhouse.api.ApiVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pf4j.JarPluginManager;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One load of the plugin folders for {@link PluginRegistry}: the jars in precedence order through PF4J, the
 * extension scan (class path first), the duplicate rule (first provider of an id wins, later ones are
 * reported by {@link Shadowing}), and the provenance of the jars left in use. Fills the fields once; not
 * thread-safe, used only by the registry's constructor.
 */
final class RegistryLoad {
  private static final Logger log = LoggerFactory.getLogger(RegistryLoad.class);

  final JarPluginManager manager;
  final List<String> problems = new ArrayList<>();
  final Map<Kind, TreeMap<String, ExtensionScan.Found>> providers = new EnumMap<>(Kind.class);
  final List<PluginInfo> plugins = new ArrayList<>();

  /** {@code dirs}: absolute, distinct, in precedence order (the built-in folder first). */
  RegistryLoad(List<Path> dirs) {
    manager = PluginJars.newManager(dirs);
    List<Path> jars = jarsOf(dirs);
    PluginJars.loadAndStart(manager, jars, this::jarProblem);
    ExtensionScan scan = new ExtensionScan(manager, this::problem);
    scan.scan(null, PluginRegistry.BUILT_IN, ApiVersion.ROUNDHOUSE);
    for (Path jar : jars) {
      PluginWrapper w = startedAt(jar);
      if (w != null && scan.scan(w.getPluginId(), jar.toString(), w.getDescriptor().getVersion()) == 0) {
        jarProblem(jar, "plugin '" + w.getPluginId() + "' has no Roundhouse extensions ("
            + (JarCheck.hasEntry(jar, "META-INF/extensions.idx")
                ? "its META-INF/extensions.idx lists no Attention/Router/Precision/OptimizerProvider class in the jar"
                : "the jar has no META-INF/extensions.idx") + "); skipped");
        manager.unloadPlugin(w.getPluginId());
      }
    }
    firstProviderWins(scan);
    for (Path jar : jars) {
      PluginWrapper w = startedAt(jar);
      if (w != null) {
        plugins.add(new PluginInfo(w.getPluginId(), w.getDescriptor().getVersion(), jar, JarCheck.sha256(jar)));
      }
    }
  }

  private List<Path> jarsOf(List<Path> dirs) {
    List<Path> jars = new ArrayList<>();
    for (Path dir : dirs) {
      if (Files.isDirectory(dir)) {
        jars.addAll(PluginJars.jarsIn(dir));
      } else {
        problem("plugins folder " + dir + " does not exist"
            + (dirs.size() == 1 ? ": only built-in extensions are available" : ": nothing loaded from it"));
      }
    }
    return jars;
  }

  /** Keeps the first candidate of every id; reports the others and unloads jars left with nothing in use. */
  private void firstProviderWins(ExtensionScan scan) {
    Shadowing shadowing = new Shadowing();
    for (Kind kind : Kind.values()) {
      TreeMap<String, ExtensionScan.Found> byId = new TreeMap<>();
      scan.found(kind).forEach((id, candidates) -> {
        ExtensionScan.Found first = candidates.get(0);
        byId.put(id, first);
        candidates.stream().skip(1).forEach(later -> shadowing.add(later.info(), first.info()));
      });
      providers.put(kind, byId);
    }
    Set<String> used = new HashSet<>();
    providers.values().forEach(m -> m.values().forEach(e -> used.add(e.info().pluginId())));
    shadowing.report(used, this::problem);
    for (String unused : shadowing.pluginsWithout(used)) {
      manager.unloadPlugin(unused);
    }
  }

  private PluginWrapper startedAt(Path jar) {
    for (PluginWrapper w : manager.getStartedPlugins()) {
      if (w.getPluginPath().toAbsolutePath().normalize().equals(jar)) {
        return w;
      }
    }
    return null;
  }

  private void jarProblem(Path jar, String why) {
    problem(jar + ": " + why);
  }

  /** Callers print {@link PluginRegistry#problems()} themselves (once); the log has them at debug level. */
  private void problem(String line) {
    log.debug(line);
    problems.add(line);
  }
}
