/**
 * The Plugins tab: discovered jars and extensions with their descriptions, and the registry's load problems.
 */
package dev.roundhouse.app.plugins;
