package dev.roundhouse.host.registry;

import dev.roundhouse.host.config.ConfigException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.ApiVersion;
import dev.roundhouse.api.ComponentProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pf4j.JarPluginManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All attention, router, precision and optimizer providers of this host: the built-in ones on the
 * host class path (PF4J system extensions) plus those of the plugin jars in one or more folders,
 * loaded through a PF4J {@link JarPluginManager} whose system version is {@link ApiVersion#CURRENT},
 * so each jar's {@code Plugin-Requires} is checked against the plugin API.
 *
 * <p>Loading never fails as a whole: a corrupt jar, a non-plugin jar, a jar for another API version
 * or a jar without extensions each add one line to {@link #problems()} naming the jar, and
 * everything else still loads.
 *
 * <p>Precedence (the duplicate rule): extensions on the host class path come first, then the jars of
 * the first folder (the installation's {@code plugins/}, whose jars are the built-in plugins), then
 * those of each added folder in the order given; within a folder, jars by file name. The first
 * provider of an id is the one used; a later provider of the same kind and id is <em>shadowed</em>:
 * one line per jar in {@link #problems()} says "duplicate ... id", names both jars, and the jar's
 * other extensions still load (a jar left with none is unloaded). A jar whose {@code Plugin-Id} an
 * earlier jar already has is skipped as a duplicate. So a stray jar never disables a built-in, and
 * which provider wins never depends on the order a file system lists files in. An unknown id's
 * error lists these lines, so a skipped duplicate is named where it matters.
 *
 * <p>Thread-safety: immutable after construction; lookups may come from any thread. {@link #close()}
 * stops and unloads the plugins; providers and components from them must not be used afterwards.
 */
public final class PluginRegistry implements AutoCloseable {
  /** The {@link ExtensionInfo#source()} of extensions on the host class path. */
  public static final String BUILT_IN = "built-in";

  private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

  private final List<Path> pluginsDirs;
  private final JarPluginManager manager;
  private final List<String> problems;
  private final Map<Kind, TreeMap<String, ExtensionScan.Found>> providers;
  private final List<PluginInfo> plugins;
  private final ConfigReader configReader = new ConfigReader();
  private boolean closed;
  private Map<String, PluginInfo> classIndex;

  /** Loads the built-in extensions and every {@code *.jar} in {@code pluginsDir}. */
  public PluginRegistry(Path pluginsDir) {
    this(List.of(pluginsDir));
  }

  /**
   * Loads the built-in extensions and the jars of {@code pluginsDirs}, earlier folders first (see
   * the precedence rule above). A folder named twice is read once; a missing folder is one problem.
   */
  public PluginRegistry(List<Path> pluginsDirs) {
    if (pluginsDirs.isEmpty()) {
      throw new IllegalArgumentException("no plugins folder given");
    }
    this.pluginsDirs = pluginsDirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList();
    RegistryLoad load = new RegistryLoad(this.pluginsDirs);
    manager = load.manager;
    problems = List.copyOf(load.problems);
    providers = load.providers;
    plugins = List.copyOf(load.plugins);
  }

  /** Registry over {@link #defaultPluginsDir()}. */
  public static PluginRegistry openDefault() {
    return new PluginRegistry(defaultPluginsDir());
  }

  /**
   * Registry over {@link #defaultPluginsDir()} plus {@code added} folders (the CLI's {@code --plugins
   * DIR}): the default folder's jars, the built-in plugins, come first and win every duplicate.
   */
  public static PluginRegistry openDefaultPlus(List<Path> added) {
    List<Path> dirs = new ArrayList<>(List.of(defaultPluginsDir()));
    dirs.addAll(added);
    return new PluginRegistry(dirs);
  }

  /**
   * The plugins folder when none is given: system property {@code roundhouse.plugins.dir}, else
   * environment variable {@code ROUNDHOUSE_PLUGINS_DIR}, else {@code plugins/} in the installation
   * directory. The installation directory is system property {@code roundhouse.home} if set, else
   * the folder above {@code lib/} (or {@code lib/app/}) holding the roundhouse-core jar, else the
   * jar's own folder, else (classes folder of a build tree) the working directory.
   */
  public static Path defaultPluginsDir() {
    return PluginsFolder.defaultDir();
  }

  /** The first folder jars were loaded from (absolute): the installation's plugins folder by default. */
  public Path pluginsDir() {
    return pluginsDirs.get(0);
  }

  /** Every folder jars were loaded from (absolute), in precedence order. */
  public List<Path> pluginsDirs() {
    return pluginsDirs;
  }

  /** Every usable provider, ordered by kind then id. */
  public List<ExtensionInfo> extensions() {
    List<ExtensionInfo> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      all.addAll(extensions(kind));
    }
    return all;
  }

  /** The usable providers of one kind, ordered by id. */
  public List<ExtensionInfo> extensions(Kind kind) {
    return providers.get(kind).values().stream().map(ExtensionScan.Found::info).toList();
  }

  /** The ids of one kind, sorted. */
  public List<String> ids(Kind kind) {
    return List.copyOf(providers.get(kind).keySet());
  }

  /** One line per jar or id that could not be used, in the order found. */
  public List<String> problems() {
    return problems;
  }

  /** Provenance of every loaded plugin jar: id, version, path, SHA-256. */
  public List<PluginInfo> pluginInfo() {
    return plugins;
  }

  /** What the registry knows about provider {@code id} of {@code kind}. */
  public ExtensionInfo info(Kind kind, String id) {
    return entry(kind, id).info();
  }

  /**
   * The provider of {@code kind} with {@code id}, e.g. {@code RouterProvider<?> r =
   * registry.provider(Kind.ROUTER, "softmax-topk")}.
   *
   * @throws UnknownPluginException listing the known ids of that kind
   */
  @SuppressWarnings("unchecked")
  public <P> P provider(Kind kind, String id) {
    return (P) entry(kind, id).provider();
  }

  /**
   * The config fields of provider {@code id} of {@code kind}, each {@code name=default} (as JSON; {@code null}
   * when the component decides) or, when a field is required, {@code name (Type)}, in record order.
   *
   * @throws UnknownPluginException listing the known ids of that kind
   */
  public List<String> configFields(Kind kind, String id) {
    return configReader.fieldsWithDefaults(entry(kind, id).info().configType());
  }

  /**
   * Reads {@code {"type": id, ...fields}} into the provider's config record, its compact
   * constructor filling defaults and validating.
   *
   * @param jsonPath where {@code node} is in the run config, e.g. {@code model.router}
   * @throws ConfigException naming the JSON path of the bad field, the missing/unknown type included
   */
  public Object readConfig(Kind kind, JsonNode node, String jsonPath) {
    return read(entryFor(kind, node, jsonPath), node, jsonPath);
  }

  /**
   * Binds one plugin section once: reads {@code {"type": id, ...fields}} into the provider's config record
   * (as {@link #readConfig}) and keeps it with its provider and path, so validation, the resolved config and
   * model building share one read.
   *
   * @param jsonPath where {@code node} is in the run config, e.g. {@code model.moe.router}
   * @throws ConfigException listing every problem of the section, each at its field's JSON path
   */
  @SuppressWarnings("unchecked") // the scan keeps only providers of kind.providerType() under a kind
  public <X, T> BoundComponent<X, T> bind(ComponentKind<X, T> kind, JsonNode node, String jsonPath) {
    ExtensionScan.Found e = entryFor(kind.kind(), node, jsonPath);
    Record config = read(e, node, jsonPath);
    return new BoundComponent<>(kind, e.info().id(), config, jsonPath, (ComponentProvider<?, X, T>) e.provider(),
        e.info());
  }

  private Record read(ExtensionScan.Found e, JsonNode node, String jsonPath) {
    ObjectNode fields = ((ObjectNode) node).deepCopy();
    fields.remove("type");
    return configReader.read(fields, e.info().configType(), jsonPath,
        e.info().kind().label() + " '" + e.info().id() + "'");
  }

  /**
   * Reads the config as {@link #readConfig} does and builds the component with {@code context} (an
   * {@link Kind#contextType()} instance), for tests and benches that build one component; a run binds each
   * section once with {@link #bind}. An {@link IllegalArgumentException} from {@code build}
   * becomes a {@link ConfigException} naming {@code jsonPath}.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object build(Kind kind, JsonNode node, Object context, String jsonPath) {
    Object config = readConfig(kind, node, jsonPath);
    if (!kind.contextType().isInstance(context)) {
      throw new IllegalArgumentException(kind.label() + " providers build from a " + kind.contextType().getSimpleName()
          + ", got " + (context == null ? "null" : context.getClass().getName()));
    }
    ExtensionScan.Found entry = entryFor(kind, node, jsonPath);
    ComponentProvider p = entry.provider();
    try {
      return p.build((Record) config, context);
    } catch (IllegalArgumentException e) {
      throw ConfigReader.fromValidation(e, config.getClass(), jsonPath);
    } catch (RuntimeException | LinkageError e) {
      throw failure(entry.info(), "build() of " + kind.label() + " '" + entry.info().id() + "' (" + jsonPath
          + ") failed: " + e, e);
    }
  }

  /** A {@link PluginFailureException} naming the plugin behind {@code info}. */
  public static PluginFailureException failure(ExtensionInfo info, String what, Throwable cause) {
    return new PluginFailureException(info.pluginId(), info.version(), info.source(), what, cause);
  }

  /**
   * The loaded plugin jar holding class {@code className} (a stack-frame class name), if any. The index of class
   * entries per jar is read once, on first use.
   */
  public synchronized java.util.Optional<PluginInfo> pluginDefining(String className) {
    if (classIndex == null) {
      classIndex = new java.util.HashMap<>();
      for (PluginInfo p : plugins) {
        for (String c : JarCheck.classNames(p.jar())) {
          classIndex.putIfAbsent(c, p);
        }
      }
    }
    return java.util.Optional.ofNullable(classIndex.get(className));
  }

  /** Stops every plugin (each from a copy of the started list) and unloads them. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    PluginJars.stopAndUnload(manager, (id, e) -> log.warn("stopping plugin '{}' failed: {}", id, e.toString()));
  }

  private ExtensionScan.Found entryFor(Kind kind, JsonNode node, String jsonPath) {
    if (node == null || !node.isObject()) {
      throw new ConfigException(jsonPath + ": expected an object like {\"type\": \"<" + kind.label()
          + " id>\", ...}, got " + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
    }
    JsonNode type = node.get("type");
    String typePath = ConfigReader.join(jsonPath, "type");
    if (type == null || !type.isTextual() || type.asText().isBlank()) {
      throw new ConfigException(typePath + ": missing; known " + kind.label() + " ids: " + String.join(", ", ids(kind)));
    }
    try {
      return entry(kind, type.asText());
    } catch (UnknownPluginException e) {
      throw new ConfigException(typePath + ": " + e.getMessage(), e);
    }
  }

  private ExtensionScan.Found entry(Kind kind, String id) {
    ExtensionScan.Found e = providers.get(kind).get(id);
    if (e == null) {
      throw new UnknownPluginException(kind, id, ids(kind), problems);
    }
    return e;
  }

}
