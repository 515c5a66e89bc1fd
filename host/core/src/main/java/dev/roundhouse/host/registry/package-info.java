/**
 * The plugin registry: PF4J loading of the plugin jars of one or more folders ({@code PluginRegistry},
 * precedence and duplicate rule in its Javadoc), each provider's config record read from JSON with errors
 * naming the field's JSON path, and build of components (docs/plugins.md).
 */
package dev.roundhouse.host.registry;
