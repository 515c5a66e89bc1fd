package dev.roundhouse.api;

import org.pf4j.ExtensionPoint;

/**
 * Common contract of every Roundhouse extension point: a stable id, a config record type and a
 * factory method.
 *
 * <p>Lifecycle: the host discovers providers once at start-up (PF4J extensions from plugin jars,
 * plus extensions on the host class path) and keeps one instance per id for the life of the plugin
 * manager. For each run it reads the component's JSON object (for example {@code {"type":
 * "softmax-topk", "auxLossCoef": 0.01}}) into {@link #configType()} with Jackson, the record's
 * compact constructor filling defaults and rejecting bad values with an {@link
 * IllegalArgumentException} that names the field, and then calls {@link #build} once per component
 * instance (for example once per layer).
 *
 * <p>Thread-safety: providers must be stateless and safe to call from any thread; everything a
 * component needs lives in the object {@code build} returns.
 *
 * @param <C> the config record type, read from JSON; boxed fields, null means "use the default"
 * @param <X> the narrow context the host hands to {@link #build}
 * @param <T> the component built
 */
public interface ComponentProvider<C extends Record, X, T> extends ExtensionPoint {
  /** Stable id used in run configs, e.g. {@code "mha"}; lower-case, unique across all plugins. */
  String id();

  /** The record type Jackson reads this component's config into. */
  Class<C> configType();

  /** Builds one component. Called on the thread that composes the model, before training. */
  T build(C config, X context);

  /** One line for listings and UI forms. */
  default String description() {
    return "";
  }
}
