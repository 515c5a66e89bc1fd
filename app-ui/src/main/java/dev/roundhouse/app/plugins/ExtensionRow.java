package dev.roundhouse.app.plugins;

/**
 * One provider as the Plugins screen lists it.
 *
 * @param kind "attention", "router", "precision" or "optimizer"
 * @param id the id used in run configs
 * @param plugin the PF4J plugin id, or "built-in"
 * @param version plugin version
 * @param jar the jar's file name, or "built-in"
 * @param description one line from the provider
 */
public record ExtensionRow(String kind, String id, String plugin, String version, String jar, String description) {}
