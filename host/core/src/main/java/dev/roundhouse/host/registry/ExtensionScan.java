package dev.roundhouse.host.registry;

import dev.roundhouse.api.ComponentProvider;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.pf4j.PluginManager;

/**
 * Collects the providers of each {@link Kind} from the host class path (plugin id null) and from
 * started plugins, keeping every candidate per id so duplicates can be reported with all sources.
 */
final class ExtensionScan {
  /** One provider instance and what it says about itself. */
  record Found(ExtensionInfo info, ComponentProvider<?, ?, ?> provider) {}

  private final PluginManager manager;
  private final Consumer<String> problem;
  private final Map<Kind, Map<String, List<Found>>> found = new EnumMap<>(Kind.class);

  ExtensionScan(PluginManager manager, Consumer<String> problem) {
    this.manager = manager;
    this.problem = problem;
    for (Kind k : Kind.values()) {
      found.put(k, new TreeMap<>());
    }
  }

  /**
   * Adds the extensions of one plugin ({@code pluginId} null: the host class path). Only classes
   * defined by the plugin's own class loader count as the plugin's.
   *
   * @return how many extensions of any kind it has (broken ones included)
   */
  int scan(String pluginId, String source, String version) {
    int n = 0;
    for (Kind kind : Kind.values()) {
      n += unconstructable(kind, pluginId, source);
      for (Object ext : manager.getExtensions(kind.providerType(), pluginId)) {
        if (pluginId != null && ext.getClass().getClassLoader() != manager.getPluginClassLoader(pluginId)) {
          // PF4J's plugin class loader falls back to the host's META-INF/extensions.idx (and classes)
          // when the jar lacks them: such an extension is the host's, not this plugin's.
          continue;
        }
        n++;
        ComponentProvider<?, ?, ?> p = (ComponentProvider<?, ?, ?>) ext;
        try {
          String id = p.id();
          Class<? extends Record> config = p.configType();
          if (id == null || id.isBlank()) {
            throw new IllegalStateException("id() is blank");
          }
          if (config == null || !config.isRecord()) {
            throw new IllegalStateException("configType() is not a record class: " + config);
          }
          String description = p.description() == null ? "" : p.description();
          ExtensionInfo info = new ExtensionInfo(kind, id, pluginId, version, source, description, config);
          found.get(kind).computeIfAbsent(id, k -> new ArrayList<>()).add(new Found(info, p));
        } catch (RuntimeException | LinkageError e) {
          problem.accept(source + ": " + kind.label() + " extension " + ext.getClass().getName()
              + " is broken (" + PluginJars.rootMessage(e) + "); skipped");
        }
      }
    }
    return n;
  }

  /**
   * Reports listed extension classes PF4J could not instantiate (it only logs those): a constructor that throws, or
   * none without arguments. Returns how many.
   */
  private int unconstructable(Kind kind, String pluginId, String source) {
    Set<Class<?>> made = new HashSet<>();
    manager.getExtensions(kind.providerType(), pluginId).forEach(e -> made.add(e.getClass()));
    int n = 0;
    for (Class<?> c : manager.getExtensionClasses(kind.providerType(), pluginId)) {
      if (made.contains(c) || (pluginId != null && c.getClassLoader() != manager.getPluginClassLoader(pluginId))) {
        continue;
      }
      n++;
      String why;
      try {
        c.getDeclaredConstructor().newInstance();
        why = "PF4J could not create it";
      } catch (InvocationTargetException e) {
        why = "its constructor threw " + e.getCause();
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        why = "it cannot be created: " + e;
      }
      problem.accept(source + ": " + kind.label() + " extension " + c.getName() + " is broken (" + why
          + "); skipped");
    }
    return n;
  }

  /** id -> every candidate found for it, ids sorted. */
  Map<String, List<Found>> found(Kind kind) {
    return found.get(kind);
  }
}
