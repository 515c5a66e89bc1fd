package dev.roundhouse.host.registry;

import java.nio.file.Path;

/**
 * Provenance of one loaded plugin jar, for run records.
 *
 * @param id PF4J plugin id ({@code Plugin-Id})
 * @param version {@code Plugin-Version}
 * @param jar absolute path of the jar
 * @param sha256 lower-case hex SHA-256 of the jar's bytes
 */
public record PluginInfo(String id, String version, Path jar, String sha256) {}
