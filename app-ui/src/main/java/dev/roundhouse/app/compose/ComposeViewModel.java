package dev.roundhouse.app.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.app.Registries;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.PluginSlot;
import dev.roundhouse.host.config.MoeConfig;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.config.TrainConfig;
import dev.roundhouse.host.config.DataSpec;
import dev.roundhouse.host.registry.ExtensionInfo;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.train.RunFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Compose screen: a form generated from the host's config records (run, data, model, MoE,
 * training) and, per plugin choice, from the chosen provider's config record; validated on every
 * edit by the same checks as {@code roundhouse validate} ({@link ConfigLoader#bind} then
 * {@link RunFactory#pluginProblems}). Each problem is shown on the field its JSON path names.
 */
public final class ComposeViewModel {
  private final Registries registries;
  private final Map<String, List<FieldModel>> sections = new LinkedHashMap<>();
  private final List<PluginSection> plugins = new ArrayList<>();
  private final ObservableList<String> problems = FXCollections.observableArrayList();
  private final ObservableList<String> warnings = FXCollections.observableArrayList();
  private final BooleanProperty unsaved = new SimpleBooleanProperty(false);
  /** Fields whose value is one of a fixed set (the host's checks name the same choices). */
  private static final Map<String, List<String>> CHOICES = Map.of(
      "train.schedule", List.of("cosine", "wsd", "constant"),
      "train.dtype", List.of("float", "double"),
      "train.onNonFinite", List.of("stop", "skip"),
      "model.moe.dropPolicy", List.of("position", "gate"));
  private final StringProperty estimate = new SimpleStringProperty("");
  private final StringProperty source = new SimpleStringProperty("default config");
  private ObjectNode base;
  private boolean loading;
  /** True while the id lists are replaced: a dropdown clears its value then, which is no user choice. */
  private boolean refreshing;
  private RunConfig lastValid;

  public ComposeViewModel(Registries registries) {
    this.registries = registries;
    section("Run", "", RunConfig.class);
    section("Data", "data", DataSpec.class);
    section("Model", "model", ModelConfig.class);
    section("MoE", "model.moe", MoeConfig.class);
    section("Training", "train", TrainConfig.class);
    plugins.add(section("Attention", PluginSlot.ATTENTION));
    plugins.add(section("Global attention", PluginSlot.GLOBAL_ATTENTION));
    plugins.add(section("Router", PluginSlot.ROUTER));
    plugins.add(section("Precision", PluginSlot.PRECISION));
    plugins.add(section("Optimizer", PluginSlot.OPTIMIZER));
    for (PluginSection s : plugins) {
      s.selectedProperty().addListener((o, a, b) -> {
        if (!loading && !refreshing) {
          // another provider: its own defaults, as a config naming only {"type": id} gets from the host
          rebuildFields(s, ConfigLoader.mapper().createObjectNode());
          validate();
        }
      });
    }
    registries.currentProperty().addListener((o, a, b) -> rescanned());
    load(ConfigLoader.readTree(null), "default config");
  }

  /** Host field sections by title ("Run", "Data", "Model", "MoE", "Training"). */
  public Map<String, List<FieldModel>> sections() {
    return sections;
  }

  public List<PluginSection> pluginSections() {
    return plugins;
  }

  /** Every problem of the current config, each starting with its JSON path; empty = valid. */
  public ObservableList<String> problems() {
    return problems;
  }

  /**
   * Combinations that are valid but rarely meant (warmup not shorter than the run, no checkpoint or eval
   * before the end, top-k equal to the expert count): shown, not blocking. Each starts with its JSON path.
   */
  public ObservableList<String> warnings() {
    return warnings;
  }

  /** True after an edit not yet saved to (or loaded from) a file. */
  public BooleanProperty unsavedProperty() {
    return unsaved;
  }

  /** The fixed choices of the field at {@code path} (a dropdown), or null for free text. */
  public static List<String> choices(String path) {
    return CHOICES.get(path);
  }

  /** Params and FLOPs per token of the current sizes. */
  public StringProperty estimateProperty() {
    return estimate;
  }

  /** Where the config was loaded from. */
  public StringProperty sourceProperty() {
    return source;
  }

  /** The field at {@code path} (host or plugin), or null. */
  public FieldModel field(String path) {
    for (List<FieldModel> fs : sections.values()) {
      for (FieldModel f : fs) {
        if (f.path().equals(path)) {
          return f;
        }
      }
    }
    for (PluginSection s : plugins) {
      for (FieldModel f : s.fields()) {
        if (f.path().equals(path)) {
          return f;
        }
      }
    }
    return null;
  }

  /** Replaces the form with a run config file. */
  public void load(Path file) {
    load(ConfigLoader.readTree(file), file.toString());
  }

  /** Writes the config as the form describes it (keys left empty are left out: they take defaults). */
  public void save(Path file) {
    try {
      Files.writeString(file, ConfigLoader.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree()) + "\n");
      source.set(file.toString());
      unsaved.set(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The config as the form describes it. */
  public ObjectNode tree() {
    ObjectNode root = base.deepCopy();
    for (List<FieldModel> fs : sections.values()) {
      for (FieldModel f : fs) {
        ConfigTrees.put(root, f.path(), ConfigTrees.parse(f.textProperty().get(), f.spec().type()));
      }
    }
    for (PluginSection s : plugins) {
      if (s.isNone()) {
        ConfigTrees.put(root, s.path(), null);
        continue;
      }
      ObjectNode node = ConfigLoader.mapper().createObjectNode();
      node.put("type", s.selectedProperty().get());
      for (FieldModel f : s.fields()) {
        JsonNode v = ConfigTrees.parse(f.textProperty().get(), f.spec().type());
        if (v != null) {
          node.set(f.spec().name(), v);
        }
      }
      ConfigTrees.put(root, s.path(), node);
    }
    return root;
  }

  /** Runs the validator and puts each problem on its field; returns the problems. */
  public List<String> validate() {
    List<String> found = new ArrayList<>();
    RunConfig cfg = null;
    try {
      cfg = ConfigLoader.bind(tree(), source.get());
      found.addAll(RunFactory.pluginProblems(cfg, registries.get()));
    } catch (ConfigException e) {
      found.addAll(e.problems());
    } catch (RuntimeException e) {
      found.add(String.valueOf(e.getMessage()));
    }
    lastValid = found.isEmpty() ? cfg : null;
    problems.setAll(found);
    warnings.setAll(cfg == null ? List.of() : warningsOf(cfg));
    if (!loading) {
      unsaved.set(true);
    }
    assign(found);
    if (cfg != null) {
      estimate.set(estimateOf(cfg).describe());
    }
    return found;
  }

  /** The current config when valid, else an exception listing its problems. */
  public RunConfig validConfig() {
    List<String> p = validate();
    if (!p.isEmpty()) {
      throw new IllegalStateException("the composed config has " + p.size() + " problem(s): " + String.join("; ", p));
    }
    return lastValid;
  }

  static List<String> warningsOf(RunConfig cfg) {
    List<String> w = new ArrayList<>();
    TrainConfig t = cfg.train();
    MoeConfig moe = cfg.model().moe();
    if (t.warmupSteps() >= t.steps()) {
      w.add("train.warmupSteps: " + t.warmupSteps() + " >= train.steps " + t.steps()
          + ": the learning rate never leaves warmup");
    }
    if (t.checkpointEvery() > t.steps()) {
      w.add("train.checkpointEvery: " + t.checkpointEvery() + " > train.steps " + t.steps()
          + ": no periodic checkpoint before the end");
    }
    if (t.evalEvery() > t.steps()) {
      w.add("train.evalEvery: " + t.evalEvery() + " > train.steps " + t.steps() + ": no evaluation before the end");
    }
    if (t.logEvery() > t.steps()) {
      w.add("train.logEvery: " + t.logEvery() + " > train.steps " + t.steps() + ": no expert load window is logged");
    }
    if (moe.routedExperts() > 0 && moe.topK() == moe.routedExperts()) {
      w.add("model.moe.topK: equals model.moe.routedExperts (" + moe.topK()
          + "): every token goes to every expert, the router has no choice");
    }
    return w;
  }

  static ModelEstimate estimateOf(RunConfig cfg) {
    ModelConfig m = cfg.model();
    MoeConfig moe = m.moe();
    return ModelEstimate.of(m.vocabSize(), m.dModel(), m.seqLen(), m.nLayers(), moe.firstDenseLayers(),
        moe.denseHidden(), moe.routedExperts(), moe.topK(), moe.expertHidden(), moe.sharedExperts(),
        moe.sharedHidden(), m.tieEmbeddings());
  }

  private void section(String title, String prefix, Class<? extends Record> type) {
    List<FieldModel> fields = new ArrayList<>();
    for (FieldSpec spec : RecordFields.of(type)) {
      if (spec.type() == FieldSpec.FieldType.PLUGIN || spec.type() == FieldSpec.FieldType.UNSUPPORTED) {
        continue; // plugin objects have their own sections; nested records/lists stay as loaded
      }
      FieldModel f = new FieldModel(prefix.isEmpty() ? spec.name() : prefix + "." + spec.name(), spec);
      f.textProperty().addListener((o, a, b) -> {
        if (!loading) {
          validate();
        }
      });
      fields.add(f);
    }
    sections.put(title, fields);
  }

  private void load(ObjectNode tree, String from) {
    loading = true;
    try {
      base = tree.deepCopy();
      source.set(from);
      for (List<FieldModel> fs : sections.values()) {
        for (FieldModel f : fs) {
          f.textProperty().set(ConfigTrees.text(ConfigTrees.get(base, f.path())));
        }
      }
      refreshIds();
      for (PluginSection s : plugins) {
        JsonNode node = ConfigTrees.get(base, s.path());
        String type = node != null && node.isObject() && node.hasNonNull("type") ? node.get("type").asText() : null;
        s.selectedProperty().set(type != null ? type : s.optional() ? PluginSection.NONE : defaultId(s));
        // a section the file leaves out takes the provider's defaults, not what the form showed before
        rebuildFields(s, node != null && node.isObject() ? node : ConfigLoader.mapper().createObjectNode());
      }
    } finally {
      loading = false;
    }
    validate();
    unsaved.set(false);
  }

  private static PluginSection section(String title, PluginSlot slot) {
    return new PluginSection(title, slot.path(), slot.kind(), slot.defaultId().isEmpty());
  }

  private String defaultId(PluginSection s) {
    return PluginSlot.at(s.path()).flatMap(PluginSlot::defaultId).orElse(PluginSection.NONE);
  }

  /**
   * The plugins folder was rescanned: every choice and field text stays; a chosen provider that is gone
   * keeps its fields and becomes a problem (unknown id), which blocks the launch until it is back.
   */
  private void rescanned() {
    refreshIds();
    if (!loading) {
      for (PluginSection s : plugins) {
        rebuildFields(s, null);
      }
      validate();
    }
  }

  private void refreshIds() {
    PluginRegistry reg = registries.get();
    for (PluginSection s : plugins) {
      List<String> ids = new ArrayList<>();
      if (s.optional()) {
        ids.add(PluginSection.NONE);
      }
      ids.addAll(reg.ids(kindOf(s)));
      String keep = s.selectedProperty().get();
      if (keep != null && !ids.contains(keep)) {
        ids.add(keep); // keep an unknown id visible; the validator names it
      }
      refreshing = true;
      try {
        s.ids().setAll(ids);
        s.selectedProperty().set(keep); // a dropdown showing these ids cleared it
      } finally {
        refreshing = false;
      }
    }
  }

  private static Kind kindOf(PluginSection s) {
    for (Kind k : Kind.values()) {
      if (k.label().equals(s.kind())) {
        return k;
      }
    }
    throw new IllegalArgumentException(s.kind());
  }

  /**
   * New fields for the section's chosen provider, texts taken from {@code node} (an empty node: every field
   * at the provider's default) or, with no node (a rescan), kept by name. Each field's default is the one
   * the registry describes for that provider ({@link PluginRegistry#configFields}).
   */
  private void rebuildFields(PluginSection s, JsonNode node) {
    Map<String, String> old = new LinkedHashMap<>();
    s.fields().forEach(f -> old.put(f.spec().name(), f.textProperty().get()));
    List<FieldModel> fields = new ArrayList<>();
    s.problemProperty().set(null);
    s.descriptionProperty().set("");
    if (!s.isNone()) {
      String id = s.selectedProperty().get();
      PluginRegistry reg = registries.get();
      if (!reg.ids(kindOf(s)).contains(id) && node == null && !s.fields().isEmpty()) {
        s.descriptionProperty().set("'" + id + "' is not in the plugins folder now; its fields are kept");
        return; // provider gone (jar disabled or removed): keep what the user typed
      }
      if (reg.ids(kindOf(s)).contains(id)) {
        ExtensionInfo info = reg.info(kindOf(s), id);
        s.descriptionProperty().set(info.description() + "  [" + info.configType().getSimpleName() + "]");
        Map<String, String> defaults = PluginDefaults.parse(reg.configFields(kindOf(s), id));
        for (FieldSpec spec : RecordFields.of(info.configType())) {
          spec = spec.withDefault(defaults.getOrDefault(spec.name(), ""));
          FieldModel f = new FieldModel(s.path() + "." + spec.name(), spec);
          f.textProperty().set(node != null ? ConfigTrees.text(node.get(spec.name()))
              : old.getOrDefault(spec.name(), ""));
          f.textProperty().addListener((o, a, b) -> {
            if (!loading) {
              validate();
            }
          });
          fields.add(f);
        }
      }
    }
    s.fields().setAll(fields);
  }

  private void assign(List<String> found) {
    for (List<FieldModel> fs : sections.values()) {
      for (FieldModel f : fs) {
        f.problemProperty().set(found.stream().filter(p -> p.startsWith(f.path() + ":")).findFirst().orElse(null));
      }
    }
    for (PluginSection s : plugins) {
      List<String> mine = found.stream().filter(p -> p.startsWith(s.path() + ":") || p.startsWith(s.path() + "."))
          .toList();
      List<String> claimed = new ArrayList<>();
      for (FieldModel f : s.fields()) {
        // "model.moe.router.auxLossCoef: ..." or, from a record's own check, "model.moe.router: ... auxLossCoef ..."
        String p = mine.stream().filter(m -> m.startsWith(f.path() + ":")
            || (m.startsWith(s.path() + ":") && m.matches("(?s).*\\b" + f.spec().name() + "\\b.*")))
            .findFirst().orElse(null);
        f.problemProperty().set(p);
        if (p != null) {
          claimed.add(p);
        }
      }
      s.problemProperty().set(mine.stream().filter(m -> !claimed.contains(m)).findFirst().orElse(null));
    }
  }
}
