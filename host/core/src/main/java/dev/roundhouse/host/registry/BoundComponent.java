package dev.roundhouse.host.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.ComponentProvider;
import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;

/**
 * One plugin section of a run config, read once ({@link PluginRegistry#bind}): its kind, provider id,
 * config record (defaults filled, validated), JSON path and provider. Validation, the resolved config
 * and model building all use it, so a section is never read from JSON twice. Immutable; {@link #build}
 * may be called once per layer and per data-parallel replica, each call a new component.
 *
 * @param <X> the context the provider builds from, e.g. {@code RouterContext}
 * @param <T> the component it builds, e.g. {@code Router}
 */
public record BoundComponent<X, T>(ComponentKind<X, T> kind, String id, Record config, String path,
    ComponentProvider<?, X, T> provider, ExtensionInfo info) {

  /**
   * Builds a new component from the bound config. An {@link IllegalArgumentException} from the provider
   * becomes a {@link ConfigException} naming the field under {@link #path()}; any other failure a {@link
   * PluginFailureException} naming the plugin.
   */
  public T build(X context) {
    try {
      return buildWith(provider, config, context);
    } catch (IllegalArgumentException e) {
      throw ConfigReader.fromValidation(e, config.getClass(), path);
    } catch (RuntimeException | LinkageError e) {
      throw PluginRegistry.failure(info, "build() of " + kind + " '" + id + "' (" + path + ") failed: " + e, e);
    }
  }

  /** The section as the resolved config records it: {@code {"type": id, ...every field with defaults}}. */
  public ObjectNode resolved() {
    ObjectNode out = ConfigLoader.mapper().createObjectNode();
    out.put("type", id);
    ObjectNode fields = ConfigLoader.mapper().valueToTree(config);
    out.setAll(fields);
    return out;
  }

  private static <C extends Record, X, T> T buildWith(ComponentProvider<C, X, T> p, Record config, X context) {
    return p.build(p.configType().cast(config), context);
  }
}
