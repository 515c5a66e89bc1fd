package dev.roundhouse.cli;

import static dev.roundhouse.cli.MainTest.main;
import static dev.roundhouse.cli.MainTest.plugins;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --plugins DIR} adds a folder to the built-in plugin jars, {@code --plugins-only DIR} replaces them;
 * stray copies of the real routers jar never disable the built-ins, and each plugin problem is one line
 * (checked in a separate JVM, where PF4J's own logging would show).
 */
class PluginFlagsTest {
  @TempDir Path extra;

  /** A copy of a built plugin jar with manifest entries set: {@code key, value, key, value, ...}. */
  static Path copyWith(Path jar, Path to, String... keyValues) throws IOException {
    try (InputStream in = Files.newInputStream(jar); JarInputStream src = new JarInputStream(in)) {
      Manifest mf = new Manifest(src.getManifest());
      for (int i = 0; i < keyValues.length; i += 2) {
        mf.getMainAttributes().putValue(keyValues[i], keyValues[i + 1]);
      }
      try (OutputStream out = Files.newOutputStream(to); JarOutputStream dst = new JarOutputStream(out, mf)) {
        for (JarEntry e; (e = src.getNextJarEntry()) != null; ) {
          dst.putNextEntry(new JarEntry(e.getName()));
          src.transferTo(dst);
          dst.closeEntry();
        }
      }
    }
    return to.toAbsolutePath();
  }

  private static Path routersJar() throws IOException {
    try (var files = Files.list(Path.of(plugins()))) {
      return files.filter(f -> f.getFileName().toString().startsWith("roundhouse-routers")).findFirst()
          .orElseThrow().toAbsolutePath().normalize();
    }
  }

  @Test
  void addedFolderKeepsTheBuiltInsAndNamesAStrayCopyAsDuplicate() throws Exception {
    Path stray = copyWith(routersJar(), extra.resolve("routers-copy.jar"), "Plugin-Id", "routers-copy");
    MainTest.Result r = main("plugins", "--plugins", extra.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("softmax-topk     ") && r.out().contains("fp32") && r.out().contains("adamw"), r.out());
    assertTrue(r.out().contains("earlier ones win duplicate ids"), r.out());
    List<String> problems = r.err().lines().toList();
    assertEquals(1, problems.size(), r.err());
    assertTrue(problems.get(0).startsWith("plugin problem: " + stray + ": duplicate router id "), problems.get(0));
    assertTrue(problems.get(0).contains("(also in " + routersJar() + ", which comes first)"), problems.get(0));
  }

  @Test
  void pluginsShowsDescriptionsAndConfigDefaults() {
    MainTest.Result r = main("plugins");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    int row = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("router     softmax-topk ")) {
        row = i;
      }
    }
    assertTrue(row >= 0, r.out());
    assertFalse(lines.get(row + 1).isBlank() || lines.get(row + 1).trim().startsWith("config:"), r.out());
    assertTrue(lines.get(row + 2).trim().startsWith("config: ") && lines.get(row + 2).contains("auxLossCoef="), r.out());
  }

  @Test
  void pluginsOnlyReplacesTheBuiltInsAndUnknownIdIsAConfigErrorNamingTheDuplicate() throws Exception {
    Path sameId = copyWith(routersJar(), extra.resolve("routers-again.jar"), "Plugin-Version", "9.9.9");
    Path config = Files.writeString(extra.resolve("c.json"), "{\"model\": {\"moe\": {\"router\": {\"type\": \"sinkhorn\"}}}}");
    MainTest.Result r = main("validate", config.toString(), "--plugins", extra.toString());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, r.code(), r.err());
    assertTrue(r.err().contains("model.moe.router.type: unknown router 'sinkhorn'"), r.err());
    assertTrue(r.err().contains(sameId + ": duplicate plugin id 'roundhouse-routers': already loaded from "
        + routersJar()), r.err());

    r = main("validate", config.toString(), "--plugins-only", extra.toString());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, r.code(), r.err());
    assertTrue(r.err().contains("precision.type: unknown precision 'fp32'; known precision ids: (none)"), r.err());
  }

  @Test
  void eachPluginProblemIsOneLineWithoutVerboseAndPf4jSpeaksWithIt() throws Exception {
    copyWith(routersJar(), extra.resolve("bad-class.jar"), "Plugin-Id", "bad-class",
        "Plugin-Class", "no.such.PluginClass");
    copyWith(routersJar(), extra.resolve("routers-copy.jar"), "Plugin-Id", "routers-copy");
    String quiet = runJvm("plugins", "--plugins", extra.toString());
    List<String> errLines = quiet.lines().filter(l -> !l.startsWith("OUT ")).toList();
    assertEquals(2, errLines.size(), quiet);
    assertTrue(errLines.stream().allMatch(l -> l.startsWith("ERR plugin problem: ")), quiet);
    assertTrue(quiet.contains("bad-class.jar: ") && quiet.contains("routers-copy.jar: duplicate router id"), quiet);

    String verbose = runJvm("plugins", "--plugins", extra.toString(), "--verbose");
    assertTrue(verbose.lines().filter(l -> l.startsWith("ERR ")).count() > 2, verbose);
    assertTrue(verbose.contains("org.pf4j"), verbose);
  }

  /** Runs the CLI in a fresh JVM; returns stdout lines prefixed "OUT " then stderr lines prefixed "ERR ". */
  private String runJvm(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Droundhouse.plugins.dir=" + plugins(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = extra.resolve("out.txt");
    Path err = extra.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "CLI did not finish");
    assertEquals(0, p.exitValue(), Files.readString(err));
    StringBuilder sb = new StringBuilder();
    Files.readAllLines(out, StandardCharsets.UTF_8).forEach(l -> sb.append("OUT ").append(l).append('\n'));
    Files.readAllLines(err, StandardCharsets.UTF_8).forEach(l -> sb.append("ERR ").append(l).append('\n'));
    return sb.toString();
  }
}
