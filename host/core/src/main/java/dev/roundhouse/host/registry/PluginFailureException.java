package dev.roundhouse.host.registry;

/**
 * A plugin's code failed (threw from a constructor, {@code build()}, {@code forward}, a backward closure, an
 * optimizer step, ...) or broke its contract (returned wrong shapes). The message names the plugin id, its version
 * and its jar, then the component and the original error; the original is the cause.
 */
public final class PluginFailureException extends RuntimeException {
  private final String pluginId;
  private final String version;
  private final String jar;

  public PluginFailureException(String pluginId, String version, String jar, String what, Throwable cause) {
    super(describe(pluginId, version, jar) + ": " + what, cause);
    this.pluginId = pluginId;
    this.version = version;
    this.jar = jar;
  }

  /** {@code plugin 'roundhouse-attention' 0.1.0 (jar /opt/rh/plugins/roundhouse-attention.jar)}. */
  public static String describe(String pluginId, String version, String jar) {
    if (pluginId == null) {
      return "built-in extension (Roundhouse " + version + ")";
    }
    return "plugin '" + pluginId + "' " + version + " (jar " + jar + ")";
  }

  /** PF4J plugin id; null for a built-in extension. */
  public String pluginId() {
    return pluginId;
  }

  public String version() {
    return version;
  }

  /** Absolute jar path, or {@link PluginRegistry#BUILT_IN}. */
  public String jar() {
    return jar;
  }
}
