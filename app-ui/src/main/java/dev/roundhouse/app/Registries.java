package dev.roundhouse.app;

import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;

/**
 * The current {@link PluginRegistry} over one plugins folder, replaced by {@link #rescan()}. A
 * replaced registry stays open until {@link #close()} when a run may still use its plugins.
 * Accessed from the FX thread; training threads only keep the instance they were given.
 */
public final class Registries implements AutoCloseable {
  private final Path pluginsDir;
  private final ReadOnlyObjectWrapper<PluginRegistry> current = new ReadOnlyObjectWrapper<>();
  private final List<PluginRegistry> retired = new ArrayList<>();

  public Registries(Path pluginsDir) {
    this.pluginsDir = pluginsDir.toAbsolutePath().normalize();
    current.set(new PluginRegistry(this.pluginsDir));
  }

  public Path pluginsDir() {
    return pluginsDir;
  }

  public PluginRegistry get() {
    return current.get();
  }

  /** Changes with every rescan. */
  public ReadOnlyObjectProperty<PluginRegistry> currentProperty() {
    return current.getReadOnlyProperty();
  }

  /** Loads the folder again; the previous registry is closed now if {@code previousUnused}, else at exit. */
  public synchronized void rescan(boolean previousUnused) {
    PluginRegistry old = current.get();
    current.set(new PluginRegistry(pluginsDir));
    if (previousUnused) {
      old.close();
    } else {
      retired.add(old);
    }
  }

  /** Rescan keeping the previous registry open (a run may hold its plugins). */
  public void rescan() {
    rescan(false);
  }

  @Override
  public synchronized void close() {
    retired.forEach(PluginRegistry::close);
    retired.clear();
    current.get().close();
  }
}
