package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user installs with {@code dpkg -i}: the .deb that {@code -Pnative} built, extracted with
 * {@code dpkg-deb -x} into a temporary root (the files {@code dpkg -i} would put under /opt), then its
 * installed CLI lists the built-in plugins and trains five steps. Skips, saying why, when the build made
 * no .deb (built without {@code -Pnative}) or {@code dpkg-deb} is missing.
 */
class DebPackageIT {
  private static final List<String> BUILT_IN_IDS = List.of("mha", "softmax-topk", "fp32", "adamw");

  @TempDir static Path root;
  private static Path installed;

  @BeforeAll
  static void extractTheDeb() {
    String dir = System.getProperty("roundhouse.native.dir");
    Path nativeDir = dir == null ? null : Path.of(dir);
    Path deb = nativeDir == null ? null : debIn(nativeDir);
    assumeTrue(deb != null, "no .deb under " + nativeDir + ": the installers are built only with -Pnative "
        + "(mvn -B -Pnative verify; needs jpackage, the JDK's jmods, dpkg-deb and fakeroot)");
    assumeTrue(onPath("dpkg-deb"), "dpkg-deb is not on PATH: cannot extract " + deb);
    Launcher.run(root, Map.of(), 300, List.of("dpkg-deb", "-x", deb.toString(), root.toString())).assertOk();
    installed = root.resolve("opt/roundhouse");
  }

  @Test
  void installedPackageHasBothLaunchersPluginsConfigsAndDocs() {
    for (String part : List.of("bin/roundhouse", "bin/roundhouse-cli")) {
      assertTrue(Files.isExecutable(installed.resolve(part)), "the .deb does not install an executable " + part);
    }
    for (String part : List.of("plugins", "configs/tiny-moe.json", "docs/cli.md", "README.md")) {
      assertTrue(Files.exists(installed.resolve(part)), "the .deb does not install /opt/roundhouse/" + part);
    }
  }

  @Test
  void installedCliListsTheBuiltInPlugins(@TempDir Path work) {
    String out = cli(work, 120, List.of("plugins")).assertOk().output();
    for (String id : BUILT_IN_IDS) {
      assertTrue(out.contains(id), "installed `roundhouse-cli plugins` does not list '" + id + "':\n" + out);
    }
  }

  @Test
  void installedCliTrainsFiveSteps(@TempDir Path work) {
    Path runs = work.resolve("runs");
    List<String> args = new ArrayList<>(List.of("run"));
    args.addAll(RunDirs.tinySets("deb-run", 5));
    args.addAll(List.of("--out", runs.toString()));
    String out = cli(work, 300, args).assertOk().output();
    RunDirs.stepLosses(RunDirs.single(runs, out), 5);
  }

  private static Launcher.Result cli(Path work, long timeoutS, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(installed.resolve("bin/roundhouse-cli").toString());
    cmd.addAll(args);
    return Launcher.run(work, Map.of(), timeoutS, cmd);
  }

  private static Path debIn(Path nativeDir) {
    if (!Files.isDirectory(nativeDir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(nativeDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }
}
