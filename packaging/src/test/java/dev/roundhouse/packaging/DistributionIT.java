package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution zip, unpacked into a temporary folder and used from there the way the README says:
 * its layout, {@code bin/roundhouse plugins} and a 5-step {@code bin/roundhouse run} (headless).
 */
class DistributionIT {
  private static final List<String> BUILT_IN_JARS = List.of(
      "roundhouse-attention", "roundhouse-routers", "roundhouse-precision", "roundhouse-optimizers");

  @Test
  void layoutHasLaunchersLibPluginsConfigsAndSdk() throws IOException {
    Path home = Dist.home();
    assertTrue(home.getFileName().toString().startsWith("roundhouse-"), "top folder " + home);
    for (String launcher : List.of("roundhouse", "roundhouse-ui")) {
      Path bin = home.resolve("bin").resolve(launcher);
      assertTrue(Files.isRegularFile(bin), "missing bin/" + launcher);
      assertTrue(Files.getPosixFilePermissions(bin).contains(PosixFilePermission.OWNER_EXECUTE),
          "bin/" + launcher + " is not executable in the zip");
    }
    List<String> lib = names(home.resolve("lib"));
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("roundhouse-cli-")), "lib/ lacks the CLI jar: " + lib);
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("roundhouse-core-")), "lib/ lacks the host core: " + lib);
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("roundhouse-engine-")), "lib/ lacks the tensor engine: " + lib);
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("roundhouse-bench-")), "lib/ lacks the bench module: " + lib);
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("nd4j-native-")), "lib/ lacks the ND4J backend: " + lib);
    List<String> plugins = names(home.resolve("plugins"));
    for (String jar : BUILT_IN_JARS) {
      assertTrue(plugins.stream().anyMatch(n -> n.startsWith(jar + "-") && n.endsWith(".jar")),
          "plugins/ lacks " + jar + ": " + plugins);
      assertFalse(lib.stream().anyMatch(n -> n.startsWith(jar + "-")),
          jar + " must not be in lib/ (it would load as a built-in and clash with plugins/)");
    }
    assertTrue(Files.isRegularFile(home.resolve("configs/tiny-moe.json")), "configs/tiny-moe.json");
    assertTrue(Files.isRegularFile(home.resolve("README.md")), "README.md");
    assertTrue(Files.isRegularFile(home.resolve("sdk/roundhouse-plugins-api.pom")), "sdk/ API pom");
    assertTrue(Files.isRegularFile(home.resolve("sdk/examples/hash-router/pom.xml")), "sdk/ example plugin");
    String v = PluginProjects.version();
    for (String jar : List.of("roundhouse-engine-" + v + ".jar", "roundhouse-engine.pom",
        "roundhouse-engine-" + v + "-sources.jar", "roundhouse-engine-" + v + "-javadoc.jar", "roundhouse-plugins-api-" + v + "-sources.jar", "roundhouse-plugins-api-" + v + "-javadoc.jar",
        "roundhouse-test-support-" + v + ".jar", "roundhouse-test-support.pom")) {
      assertTrue(Files.isRegularFile(home.resolve("sdk").resolve(jar)), "sdk/" + jar);
    }
    try (java.util.jar.JarFile javadoc = new java.util.jar.JarFile(
        home.resolve("sdk/roundhouse-plugins-api-" + v + "-javadoc.jar").toFile())) {
      assertTrue(javadoc.getEntry("dev/roundhouse/api/Routing.html") != null, "API reference lacks Routing");
    }
    try (java.util.jar.JarFile javadoc = new java.util.jar.JarFile(
        home.resolve("sdk/roundhouse-engine-" + v + "-javadoc.jar").toFile())) {
      assertTrue(javadoc.getEntry("dev/roundhouse/tensor/F.html") != null, "engine reference lacks the F facade");
    }
    String sdkPom = Files.readString(home.resolve("sdk/roundhouse-plugins-api.pom"));
    assertFalse(sdkPom.contains("${"), "sdk pom has unfiltered placeholders:\n" + sdkPom);
  }

  @Test
  void pluginsListsTheBuiltInPlugins(@TempDir Path work) {
    String out = Launcher.bin(work, "roundhouse", 120, "plugins").assertOk().output();
    for (String id : List.of("mha", "softmax-topk", "fp32", "adamw")) {
      assertTrue(out.contains(id), "`roundhouse plugins` does not list '" + id + "':\n" + out);
    }
    for (String jar : BUILT_IN_JARS) {
      assertTrue(out.contains(jar), "`roundhouse plugins` does not name plugin " + jar + ":\n" + out);
    }
  }

  @Test
  void fiveStepRunWritesARunDirectoryWithMetrics(@TempDir Path work) {
    Path runs = work.resolve("my-runs");
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(RunDirs.tinySets("dist-smoke", 5));
    args.addAll(List.of("--out", runs.toString()));
    String out = Launcher.bin(work, "roundhouse", 300, args.toArray(String[]::new)).assertOk().output();

    Path runDir = RunDirs.single(runs, out);
    List<Double> losses = RunDirs.stepLosses(runDir, 5);
    // Byte-level LM from a uniform start: the first loss is near ln(256) = 5.55 nats.
    assertEquals(Math.log(256), losses.get(0), 0.5, "first step loss " + losses);
    assertTrue(Files.isRegularFile(runDir.resolve("config.json")), runDir + "/config.json");
    String provenance = RunDirs.json(runDir.resolve("provenance.json")).toString();
    assertTrue(provenance.contains(Dist.home().resolve("plugins").toString()),
        "provenance.json does not record plugin jars from the installation's plugins/: " + provenance);
    assertFalse(Files.exists(work.resolve("runs")), "--out was ignored: a runs/ folder appeared in the working directory");
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
