package dev.roundhouse.host.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Resolution of the default plugins folder (system property > env > installation dir). */
class PluginsFolderTest {
  private final String savedDir = System.getProperty(PluginsFolder.DIR_PROPERTY);
  private final String savedHome = System.getProperty(PluginsFolder.HOME_PROPERTY);

  @AfterEach
  void restore() {
    set(PluginsFolder.DIR_PROPERTY, savedDir);
    set(PluginsFolder.HOME_PROPERTY, savedHome);
  }

  @Test
  void systemPropertyWins() {
    System.setProperty(PluginsFolder.DIR_PROPERTY, "some/where");
    System.setProperty(PluginsFolder.HOME_PROPERTY, "/opt/roundhouse");
    assertEquals(Path.of("some/where").toAbsolutePath().normalize(), PluginRegistry.defaultPluginsDir());
  }

  @Test
  void installationHomeGivesItsPluginsFolder() {
    System.clearProperty(PluginsFolder.DIR_PROPERTY);
    System.setProperty(PluginsFolder.HOME_PROPERTY, "/opt/roundhouse");
    if (System.getenv(PluginsFolder.DIR_ENV) == null) {
      assertEquals(Path.of("/opt/roundhouse/plugins"), PluginRegistry.defaultPluginsDir());
    }
  }

  @Test
  void buildTreeClassesFolderFallsBackToWorkingDirectory() {
    System.clearProperty(PluginsFolder.HOME_PROPERTY);
    // tests run from target/classes, not a jar
    assertEquals(Path.of("").toAbsolutePath().normalize(), PluginsFolder.installationDir());
  }

  private static void set(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
