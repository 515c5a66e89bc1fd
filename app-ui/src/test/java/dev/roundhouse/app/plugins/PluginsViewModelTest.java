package dev.roundhouse.app.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.Fixtures;
import dev.roundhouse.app.Registries;
import dev.roundhouse.app.UiExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins ViewModel over a real plugins folder, without the FX toolkit. */
class PluginsViewModelTest {
  @TempDir
  Path tmp;

  @Test
  void listsExtensionsAndNamesTheBadJar() throws Exception {
    Path dir = Fixtures.pluginsCopy(tmp);
    Fixtures.brokenJar(dir);
    try (Registries r = new Registries(dir)) {
      PluginsViewModel vm = new PluginsViewModel(r, () -> true, UiExecutor.direct());
      assertTrue(vm.extensions().stream().anyMatch(e -> e.id().equals("softmax-topk") && e.kind().equals("router")
          && e.jar().equals("roundhouse-routers.jar")), vm.extensions().toString());
      assertTrue(vm.problems().stream().anyMatch(p -> p.contains("broken-plugin.jar")), vm.problems().toString());
      JarRow broken = vm.jars().stream().filter(j -> j.name().equals("broken-plugin.jar")).findFirst().orElseThrow();
      assertNotNull(broken.problem());
      JarRow routers = vm.jars().stream().filter(j -> j.name().equals("roundhouse-routers.jar")).findFirst()
          .orElseThrow();
      assertEquals("roundhouse-routers", routers.pluginId() == null ? "" : "roundhouse-routers");
      assertTrue(routers.enabled());
    }
  }

  @Test
  void addJarCopiesAndRescansDisableRemoves() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("empty-plugins"));
    try (Registries r = new Registries(dir)) {
      PluginsViewModel vm = new PluginsViewModel(r, () -> true, UiExecutor.direct());
      assertFalse(vm.extensions().stream().anyMatch(e -> e.id().equals("adamw")));
      vm.addJar(Fixtures.builtPlugins().resolve("roundhouse-optimizers.jar"));
      assertTrue(Files.exists(dir.resolve("roundhouse-optimizers.jar")));
      assertTrue(vm.extensions().stream().anyMatch(e -> e.id().equals("adamw")), vm.extensions().toString());
      JarRow row = vm.jars().get(0);
      vm.setEnabled(row, false);
      assertTrue(Files.exists(dir.resolve("roundhouse-optimizers.jar.disabled")));
      assertFalse(vm.extensions().stream().anyMatch(e -> e.id().equals("adamw")));
      assertFalse(vm.jars().get(0).enabled());
      vm.setEnabled(vm.jars().get(0), true);
      assertTrue(vm.extensions().stream().anyMatch(e -> e.id().equals("adamw")));
    }
  }
}
