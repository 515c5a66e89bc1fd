package dev.roundhouse.host.model;

import dev.roundhouse.host.registry.PluginRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the model tests that build layers from the built-in plugins: one {@link PluginRegistry}
 * ({@link ModelKit#registry()}) opened before the test class's tests and closed after them.
 */
abstract class BuiltInRegistryTest {
  static PluginRegistry registry;

  @BeforeAll
  static void openRegistry() {
    registry = ModelKit.registry();
  }

  @AfterAll
  static void closeRegistry() {
    if (registry != null) {
      registry.close();
      registry = null;
    }
  }
}
