package dev.roundhouse.app.plugins;

import dev.roundhouse.app.Registries;
import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.host.registry.ExtensionInfo;
import dev.roundhouse.host.registry.PluginInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The Plugins screen: every usable extension, every jar in the plugins folder (enabled or not, with
 * its load problems), the registry's problem lines; adding a jar copies it into the folder and
 * rescans; disabling renames a jar to {@code *.jar.disabled}.
 */
public final class PluginsViewModel {
  static final String DISABLED_SUFFIX = ".disabled";

  private final Registries registries;
  private final BooleanSupplier registryUnused;
  private final UiExecutor ui;
  private final ObservableList<ExtensionRow> extensions = FXCollections.observableArrayList();
  private final ObservableList<JarRow> jars = FXCollections.observableArrayList();
  private final ObservableList<String> problems = FXCollections.observableArrayList();
  private final StringProperty message = new SimpleStringProperty("");

  /** {@code registryUnused}: true when no run holds the current registry, so a rescan may close it. */
  public PluginsViewModel(Registries registries, BooleanSupplier registryUnused, UiExecutor ui) {
    this.registries = registries;
    this.registryUnused = registryUnused;
    this.ui = ui;
    registries.currentProperty().addListener((o, a, b) -> ui.execute(this::refresh));
    refresh();
  }

  public ObservableList<ExtensionRow> extensions() {
    return extensions;
  }

  public ObservableList<JarRow> jars() {
    return jars;
  }

  /** Load problems of the current registry, one line each, naming the jar. */
  public ObservableList<String> problems() {
    return problems;
  }

  /** Outcome of the last action, for the status line. */
  public StringProperty messageProperty() {
    return message;
  }

  public String pluginsDir() {
    return registries.pluginsDir().toString();
  }

  /** Loads the plugins folder again. */
  public void rescan() {
    registries.rescan(registryUnused.getAsBoolean());
    refresh();
    message.set("Rescanned " + registries.pluginsDir() + ": " + extensions.size() + " extensions, "
        + problems.size() + " problems");
  }

  /** Copies {@code jar} into the plugins folder (replacing a file of that name) and rescans. */
  public void addJar(Path jar) {
    if (!jar.getFileName().toString().endsWith(".jar")) {
      message.set(jar.getFileName() + ": not a .jar file");
      return;
    }
    try {
      Files.createDirectories(registries.pluginsDir());
      Files.copy(jar, registries.pluginsDir().resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      message.set("Cannot copy " + jar + " into " + registries.pluginsDir() + ": " + e.getMessage());
      return;
    }
    rescan();
    message.set("Added " + jar.getFileName() + "; " + message.get());
  }

  /** Enables (renames back to {@code .jar}) or disables (renames to {@code .jar.disabled}) a jar, then rescans. */
  public void setEnabled(JarRow row, boolean enabled) {
    if (row.enabled() == enabled) {
      return;
    }
    String name = row.name();
    Path target = row.file().resolveSibling(enabled ? name.substring(0, name.length() - DISABLED_SUFFIX.length())
        : name + DISABLED_SUFFIX);
    try {
      Files.move(row.file(), target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + row.file() + " to " + target.getFileName(), e);
    }
    rescan();
  }

  private void refresh() {
    PluginRegistry reg = registries.get();
    List<ExtensionRow> ext = new ArrayList<>();
    for (ExtensionInfo i : reg.extensions()) {
      ext.add(new ExtensionRow(i.kind().label(), i.id(), i.pluginId() == null ? PluginRegistry.BUILT_IN
          : i.pluginId(), i.version(), PluginRegistry.BUILT_IN.equals(i.source()) ? PluginRegistry.BUILT_IN
          : Path.of(i.source()).getFileName().toString(), i.description()));
    }
    extensions.setAll(ext);
    problems.setAll(reg.problems());
    jars.setAll(jarRows(reg));
  }

  private List<JarRow> jarRows(PluginRegistry reg) {
    List<JarRow> rows = new ArrayList<>();
    Path dir = registries.pluginsDir();
    if (!Files.isDirectory(dir)) {
      return rows;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        boolean enabled = name.endsWith(".jar");
        if (!enabled && !name.endsWith(".jar" + DISABLED_SUFFIX)) {
          continue;
        }
        PluginInfo info = reg.pluginInfo().stream()
            .filter(p -> p.jar().toAbsolutePath().normalize().equals(f.toAbsolutePath().normalize()))
            .findFirst().orElse(null);
        List<String> own = reg.problems().stream().filter(p -> p.contains(name)).toList();
        rows.add(new JarRow(f, enabled, info == null ? null : info.id(), info == null ? null : info.version(),
            own.isEmpty() ? null : String.join("; ", own)));
      }
    } catch (IOException e) {
      message.set("Cannot list " + dir + ": " + e.getMessage());
    }
    return rows;
  }
}
