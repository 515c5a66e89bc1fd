package dev.roundhouse.host.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.OptimizerGroupConfig;
import dev.roundhouse.host.config.PluginSlot;
import dev.roundhouse.host.config.RunConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every plugin section of a run config, each bound once through the registry ({@link BoundComponent}):
 * precision, the optimizer and each optimizer group's own one, the router, the attention of each layer and
 * the global attention. Validation lists the problems of all sections together; the resolved config and
 * model building read the bound records, never the JSON again. Immutable.
 */
public final class BoundPlugins {
  private final BoundComponent<PrecisionContext, PrecisionPolicy> precision;
  private final Map<String, BoundComponent<OptimizerContext, Optimizer>> optimizers;
  private final BoundComponent<RouterContext, Router> router;
  private final List<BoundComponent<AttentionContext, Attention>> attentionPerLayer;
  private final Map<String, BoundComponent<AttentionContext, Attention>> attentions;

  private BoundPlugins(Binder b, int nLayers, List<String> attentionPaths) {
    precision = b.precision;
    optimizers = b.optimizers;
    router = b.router;
    attentions = b.attentions;
    List<BoundComponent<AttentionContext, Attention>> layers = new ArrayList<>();
    for (int i = 0; i < nLayers; i++) {
      layers.add(attentions.get(attentionPaths.get(i)));
    }
    attentionPerLayer = List.copyOf(layers);
  }

  /** Binds every section; throws a {@link ConfigException} listing every problem of every section. */
  public static BoundPlugins bind(RunConfig cfg, PluginRegistry registry) {
    List<String> problems = new ArrayList<>();
    BoundPlugins bound = bind(cfg, registry, problems);
    if (bound == null) {
      throw new ConfigException("config", problems);
    }
    return bound;
  }

  /**
   * Binds every section, adding each problem (its text starting with the field's JSON path) to {@code
   * problems}, in config order: precision, optimizer, optimizer groups, router, attention by layer, global
   * attention. Null when any section has a problem.
   */
  public static BoundPlugins bind(RunConfig cfg, PluginRegistry registry, List<String> problems) {
    Binder b = new Binder(registry, problems);
    int before = problems.size();
    b.precision = b.one(ComponentKind.PRECISION, cfg.precision(), PluginSlot.PRECISION.path());
    b.optimizer(cfg.optimizer(), PluginSlot.OPTIMIZER.path());
    List<OptimizerGroupConfig> groups = cfg.optimizerGroups();
    for (int i = 0; groups != null && i < groups.size(); i++) {
      if (groups.get(i).optimizer() != null) {
        b.optimizer(groups.get(i).optimizer(), PluginSlot.groupOptimizer(i));
      }
    }
    b.router = b.one(ComponentKind.ROUTER, cfg.model().moe().router(), PluginSlot.ROUTER.path());
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < cfg.model().nLayers(); i++) {
      String path = cfg.model().attentionPathFor(i);
      paths.add(path);
      b.attention(cfg.model().attentionFor(i), path);
    }
    // the resolved config records both even when no layer uses them
    b.attention(cfg.model().attention(), PluginSlot.ATTENTION.path());
    if (cfg.model().globalAttention() != null) {
      b.attention(cfg.model().globalAttention(), PluginSlot.GLOBAL_ATTENTION.path());
    }
    return problems.size() > before ? null : new BoundPlugins(b, cfg.model().nLayers(), paths);
  }

  public BoundComponent<PrecisionContext, PrecisionPolicy> precision() {
    return precision;
  }

  /** The optimizer section at {@code path}: {@code optimizer} or {@code optimizerGroups[i].optimizer}. */
  public BoundComponent<OptimizerContext, Optimizer> optimizerAt(String path) {
    BoundComponent<OptimizerContext, Optimizer> o = optimizers.get(path);
    if (o == null) {
      throw new IllegalArgumentException("no optimizer section bound at " + path + " (bound: " + optimizers.keySet()
          + ")");
    }
    return o;
  }

  public BoundComponent<RouterContext, Router> router() {
    return router;
  }

  /** The attention section layer {@code i} (0-based) uses. */
  public BoundComponent<AttentionContext, Attention> attention(int layer) {
    return attentionPerLayer.get(layer);
  }

  /**
   * Puts each bound section, resolved ({@code {"type", ...every field}}), into {@code tree} (the run config as
   * a JSON tree with the host's defaults filled) at its path.
   */
  public void resolveInto(ObjectNode tree) {
    tree.set(PluginSlot.PRECISION.path(), precision.resolved());
    tree.set(PluginSlot.OPTIMIZER.path(), optimizerAt(PluginSlot.OPTIMIZER.path()).resolved());
    JsonNode groups = tree.get(PluginSlot.OPTIMIZER_GROUPS);
    for (int i = 0; groups != null && i < groups.size(); i++) {
      BoundComponent<OptimizerContext, Optimizer> own = optimizers.get(PluginSlot.groupOptimizer(i));
      ((ObjectNode) groups.get(i)).set("optimizer",
          (own != null ? own : optimizerAt(PluginSlot.OPTIMIZER.path())).resolved());
    }
    ObjectNode model = (ObjectNode) tree.get("model");
    ((ObjectNode) model.get("moe")).set("router", router.resolved());
    model.set("attention", attentions.get(PluginSlot.ATTENTION.path()).resolved());
    BoundComponent<AttentionContext, Attention> global = attentions.get(PluginSlot.GLOBAL_ATTENTION.path());
    if (global != null) {
      model.set("globalAttention", global.resolved());
    }
  }

  /** Collects bound sections and problems while binding; each path is read once. */
  private static final class Binder {
    final PluginRegistry registry;
    final List<String> problems;
    BoundComponent<PrecisionContext, PrecisionPolicy> precision;
    BoundComponent<RouterContext, Router> router;
    final Map<String, BoundComponent<OptimizerContext, Optimizer>> optimizers = new LinkedHashMap<>();
    final Map<String, BoundComponent<AttentionContext, Attention>> attentions = new LinkedHashMap<>();
    final List<String> failedPaths = new ArrayList<>();

    Binder(PluginRegistry registry, List<String> problems) {
      this.registry = registry;
      this.problems = problems;
    }

    <X, T> BoundComponent<X, T> one(ComponentKind<X, T> kind, JsonNode node, String path) {
      try {
        return registry.bind(kind, node, path);
      } catch (ConfigException e) {
        for (String p : e.problems()) {
          add(p);
        }
      } catch (RuntimeException e) {
        add(e.getMessage());
      }
      failedPaths.add(path);
      return null;
    }

    void optimizer(JsonNode node, String path) {
      BoundComponent<OptimizerContext, Optimizer> o = one(ComponentKind.OPTIMIZER, node, path);
      if (o != null) {
        optimizers.put(path, o);
      }
    }

    void attention(JsonNode node, String path) {
      if (!attentions.containsKey(path) && !failedPaths.contains(path)) {
        BoundComponent<AttentionContext, Attention> a = one(ComponentKind.ATTENTION, node, path);
        if (a != null) {
          attentions.put(path, a);
        }
      }
    }

    private void add(String problem) {
      if (!problems.contains(problem)) {
        problems.add(problem);
      }
    }
  }
}
