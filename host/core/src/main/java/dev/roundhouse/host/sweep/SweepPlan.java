package dev.roundhouse.host.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.train.RunFactory;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trials of a sweep: the grid (product of grid and zipped axes, in file order), {@code samples} random draws per
 * grid point (seeded by {@code drawSeed}: the same file always plans the same trials), each repeated per seed, cut at
 * the budget. {@link #problems} binds every trial's config (and checks its plugin sections) before anything runs.
 */
public final class SweepPlan {
  private static final int MAX_TRIALS = 10_000;

  private final SweepSpec spec;
  private final List<Trial> trials;
  private final int unbudgeted;

  private SweepPlan(SweepSpec spec, List<Trial> trials, int unbudgeted) {
    this.spec = spec;
    this.trials = trials;
    this.unbudgeted = unbudgeted;
  }

  public SweepSpec spec() {
    return spec;
  }

  public List<Trial> trials() {
    return trials;
  }

  /** Trials before the budget cut. */
  public int unbudgetedCount() {
    return unbudgeted;
  }

  /** Expands the spec into trials. */
  public static SweepPlan of(SweepSpec spec) {
    List<Map<String, JsonNode>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    List<Axis.Random> random = new ArrayList<>();
    for (Axis a : spec.axes()) {
      List<Map<String, JsonNode>> next = new ArrayList<>();
      for (Map<String, JsonNode> p : points) {
        if (a instanceof Axis.Grid g) {
          for (JsonNode v : g.values()) {
            next.add(with(p, Map.of(g.path(), v)));
          }
        } else if (a instanceof Axis.Zip z) {
          for (int i = 0; i < z.size(); i++) {
            Map<String, JsonNode> add = new LinkedHashMap<>();
            for (Axis.Grid g : z.members()) {
              add.put(g.path(), g.values().get(i));
            }
            next.add(with(p, add));
          }
        } else {
          next.add(p);
        }
      }
      if (a instanceof Axis.Random r) {
        random.add(r);
      }
      points = next;
      if (points.size() > MAX_TRIALS) {
        throw new ConfigException("axes: the grid has more than " + MAX_TRIALS + " points");
      }
    }
    if (!random.isEmpty()) {
      SplittableRandom rng = new SplittableRandom(spec.drawSeed());
      List<Map<String, JsonNode>> drawn = new ArrayList<>();
      for (Map<String, JsonNode> p : points) {
        for (int s = 0; s < spec.samples(); s++) {
          Map<String, JsonNode> q = new LinkedHashMap<>(p);
          for (Axis.Random r : random) {
            q.put(r.path(), draw(r, rng));
          }
          drawn.add(q);
        }
      }
      points = drawn;
    }
    List<Map<String, JsonNode>> seeded = new ArrayList<>();
    for (Map<String, JsonNode> p : points) {
      if (spec.seeds().isEmpty()) {
        seeded.add(p);
      } else {
        for (long seed : spec.seeds()) {
          seeded.add(with(p, Map.of("seed", LongNode.valueOf(seed))));
        }
      }
    }
    int total = seeded.size();
    int n = spec.budget() == null ? total : Math.min(total, spec.budget());
    if (n > MAX_TRIALS) {
      throw new ConfigException("budget: more than " + MAX_TRIALS + " trials; set a budget");
    }
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = Trial.idOf(i);
      trials.add(new Trial(i, id, java.util.Collections.unmodifiableMap(seeded.get(i)), config(spec, seeded.get(i), id)));
    }
    return new SweepPlan(spec, List.copyOf(trials), total);
  }

  private static Map<String, JsonNode> with(Map<String, JsonNode> p, Map<String, JsonNode> add) {
    Map<String, JsonNode> q = new LinkedHashMap<>(p);
    q.putAll(add);
    return q;
  }

  static JsonNode draw(Axis.Random r, SplittableRandom rng) {
    double u = rng.nextDouble();
    return switch (r.distribution()) {
      case "choice" -> r.choices().get((int) Math.min(r.choices().size() - 1, Math.floor(u * r.choices().size())));
      case "intUniform" -> IntNode.valueOf((int) Math.min(r.hi(), Math.floor(r.lo() + u * (r.hi() - r.lo() + 1))));
      case "logUniform" -> round(Math.exp(Math.log(r.lo()) + u * (Math.log(r.hi()) - Math.log(r.lo()))));
      default -> round(r.lo() + u * (r.hi() - r.lo()));
    };
  }

  /** Four significant digits: readable in reports and folder listings. */
  private static JsonNode round(double v) {
    return DoubleNode.valueOf(new BigDecimal(v).round(new MathContext(4)).doubleValue());
  }

  /** Base + set + point, with the trial's name and (when the target stops runs) train.stopAt. */
  static ObjectNode config(SweepSpec spec, Map<String, JsonNode> point, String id) {
    ObjectNode cfg = spec.base().deepCopy();
    spec.set().forEach((k, v) -> set(cfg, k, v));
    point.forEach((k, v) -> set(cfg, k, v));
    cfg.put("name", id);
    if (spec.target() != null && spec.stopAtTarget()) {
      ObjectNode stop = Json.mapper().createObjectNode();
      stop.put("metric", spec.target().metric());
      stop.put("atMost", spec.target().atMost());
      set(cfg, "train.stopAt", stop);
    }
    return cfg;
  }

  static void set(ObjectNode root, String dotted, JsonNode value) {
    String[] keys = dotted.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode child = node.get(keys[i]);
      if (child == null || !child.isObject()) {
        child = node.putObject(keys[i]);
      }
      node = (ObjectNode) child;
    }
    node.set(keys[keys.length - 1], value.deepCopy());
  }

  /**
   * Every problem of the sweep, before anything runs: the base with its fixed overrides, then each grid value alone
   * (reported as {@code axes[i].values[j]} or {@code axes[i].zip[k].values[j]} with the field), then every trial's
   * full config (random draws and combinations, reported with the trial id and point). {@code registry} (may be null)
   * checks plugin sections too. Empty when every trial can start.
   */
  public List<String> problems(PluginRegistry registry) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    ObjectNode baseSet = spec.base().deepCopy();
    spec.set().forEach((k, v) -> set(baseSet, k, v));
    List<String> base = check(baseSet, registry);
    base.forEach(x -> out.add("base+set: " + x));
    if (!base.isEmpty()) {
      return List.copyOf(out);
    }
    for (Axis a : spec.axes()) {
      List<Axis.Grid> grids = a instanceof Axis.Grid g ? List.of(g)
          : a instanceof Axis.Zip z ? z.members() : List.of();
      for (Axis.Grid g : grids) {
        for (int j = 0; j < g.values().size(); j++) {
          ObjectNode c = baseSet.deepCopy();
          set(c, g.path(), g.values().get(j));
          for (String x : check(c, registry)) {
            out.add(g.where() + ".values[" + j + "] (" + g.path() + "=" + g.values().get(j) + "): " + x);
          }
        }
      }
    }
    if (!out.isEmpty()) {
      return List.copyOf(out);
    }
    for (Trial t : trials) {
      for (String x : check(t.config().deepCopy(), registry)) {
        out.add(t.id() + " (" + t.describe() + "): " + x);
      }
    }
    return List.copyOf(out);
  }

  /** Problems of one config: binding (with JSON paths), then its plugin sections. */
  static List<String> check(ObjectNode cfg, PluginRegistry registry) {
    RunConfig bound;
    try {
      bound = ConfigLoader.bind(cfg, "trial");
    } catch (ConfigException e) {
      return e.problems();
    }
    return registry == null ? List.of() : RunFactory.pluginProblems(bound, registry);
  }
}
