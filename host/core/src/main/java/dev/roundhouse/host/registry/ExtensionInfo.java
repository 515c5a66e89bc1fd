package dev.roundhouse.host.registry;

/**
 * One provider the registry offers.
 *
 * @param kind its extension-point family
 * @param id the stable id used in run configs ({@code "type"})
 * @param pluginId the PF4J plugin id of its jar, or null for a built-in
 * @param version the plugin version, or the Roundhouse version for a built-in
 * @param source the absolute jar path, or {@link PluginRegistry#BUILT_IN}
 * @param description the provider's one-line description
 * @param configType the record its JSON config is read into
 */
public record ExtensionInfo(
    Kind kind,
    String id,
    String pluginId,
    String version,
    String source,
    String description,
    Class<? extends Record> configType) {}
