package dev.roundhouse.host.train;

import dev.roundhouse.host.model.ComponentOutputException;
import dev.roundhouse.host.registry.ExtensionInfo;
import dev.roundhouse.host.registry.Kind;
import dev.roundhouse.host.registry.PluginFailureException;
import dev.roundhouse.host.registry.PluginInfo;
import dev.roundhouse.host.registry.PluginRegistry;
import java.util.Optional;

/**
 * Attributes a failure during building or training to the plugin at fault, so the run fails with a message naming
 * plugin id, version and jar: a {@link ComponentOutputException} (host check of a component's output) names its
 * component, otherwise the innermost stack frame whose class comes from a loaded plugin jar does.
 */
final class PluginFaults {
  private PluginFaults() {}

  /** {@code e} wrapped in a {@link PluginFailureException} when a plugin is at fault; else {@code e} itself. */
  static Throwable attribute(Throwable e, PluginRegistry registry) {
    if (registry == null || e instanceof PluginFailureException || e instanceof TrainingFailure) {
      return e;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof PluginFailureException) {
        return e;
      }
      if (c instanceof ComponentOutputException out) {
        Optional<ExtensionInfo> info = info(registry, out.kind(), out.componentId());
        if (info.isPresent()) {
          return PluginRegistry.failure(info.get(), out.getMessage(), e);
        }
      }
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      for (StackTraceElement frame : c.getStackTrace()) {
        Optional<PluginInfo> p = registry.pluginDefining(frame.getClassName());
        if (p.isPresent()) {
          PluginInfo i = p.get();
          return new PluginFailureException(i.id(), i.version(), i.jar().toString(), "failed in "
              + frame.getClassName() + "." + frame.getMethodName() + ": " + e, e);
        }
      }
    }
    return e;
  }

  /** {@link #attribute} for a caller that rethrows: an unchecked throwable either way. */
  static RuntimeException unchecked(RuntimeException e, PluginRegistry registry) {
    Throwable t = attribute(e, registry);
    return t instanceof RuntimeException r ? r : e;
  }

  private static Optional<ExtensionInfo> info(PluginRegistry registry, String kindLabel, String id) {
    for (Kind k : Kind.values()) {
      if (k.label().equals(kindLabel) && registry.ids(k).contains(id)) {
        return Optional.of(registry.info(k, id));
      }
    }
    return Optional.empty();
  }
}
