package dev.roundhouse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin SDK end to end, from the unpacked distribution: the example {@code hash} router and a
 * project made by {@code sdk/examples/new-plugin.sh} are built as separate Maven projects against the
 * shipped API jar, dropped into a fresh plugins folder, listed by {@code bin/roundhouse plugins} and
 * used together for a few training steps.
 */
class ExamplePluginIT {
  private static final String TEMPLATE_ID = "sdk-check-sgd";

  @Test
  void exampleAndTemplatePluginsBuildLoadAndTrain(@TempDir Path work) throws IOException {
    Path sdk = Dist.home().resolve("sdk");
    PluginProjects projects = new PluginProjects(work);
    Path hashJar = projects.build(PluginProjects.copyTree(sdk.resolve("examples/hash-router"), work.resolve("hash-router")));
    Path learnedJar = projects.build(PluginProjects.copyTree(sdk.resolve("examples/learned-router"),
        work.resolve("learned-router")));

    Path templateDir = work.resolve(TEMPLATE_ID);
    Launcher.run(work, Map.of(), 60, List.of(sdk.resolve("examples/new-plugin.sh").toString(), TEMPLATE_ID,
        templateDir.toString())).assertOk();
    Path templateJar = projects.build(templateDir);

    // --plugins adds this folder to the distribution's built-in plugins
    Path plugins = Files.createDirectories(work.resolve("fresh-plugins"));
    Files.copy(hashJar, plugins.resolve(hashJar.getFileName()));
    Files.copy(templateJar, plugins.resolve(templateJar.getFileName()));
    Files.copy(learnedJar, plugins.resolve(learnedJar.getFileName()));

    String listed = Launcher.bin(work, "roundhouse", 120, "plugins", "--plugins", plugins.toString()).assertOk().output();
    for (String id : List.of("hash", "learned-topk", TEMPLATE_ID, "mha", "softmax-topk", "fp32", "adamw")) {
      assertTrue(listed.contains(id), "`roundhouse plugins --plugins " + plugins + "` does not list '" + id + "':\n" + listed);
    }

    Path runs = work.resolve("runs");
    List<String> args = new ArrayList<>(List.of("run", "--plugins", plugins.toString()));
    args.addAll(RunDirs.tinySets("sdk-plugins", 5));
    args.addAll(List.of("--set", "model.moe.router={\"type\":\"hash\",\"bits\":8}",
        "--set", "optimizer={\"type\":\"" + TEMPLATE_ID + "\",\"lr\":0.05}", "--out", runs.toString()));
    String out = Launcher.bin(work, "roundhouse", 300, args.toArray(String[]::new)).assertOk().output();

    Path runDir = RunDirs.single(runs, out);
    RunDirs.stepLosses(runDir, 5);
    String provenance = RunDirs.json(runDir.resolve("provenance.json")).toString();
    assertTrue(provenance.contains(hashJar.getFileName().toString()), "provenance lacks the hash router jar: " + provenance);
    assertTrue(provenance.contains(templateJar.getFileName().toString()), "provenance lacks the template jar: " + provenance);
    String config = RunDirs.json(runDir.resolve("config.json")).toString();
    assertTrue(config.contains("\"hash\"") && config.contains(TEMPLATE_ID), "resolved config: " + config);

    // the learnable example router trains: its weight is a parameter the optimizer updates
    List<String> learned = new ArrayList<>(List.of("run", "--plugins", plugins.toString()));
    learned.addAll(RunDirs.tinySets("sdk-learned", 5));
    Path learnedRuns = work.resolve("runs-learned");
    learned.addAll(List.of("--set", "model.moe.router={\"type\":\"learned-topk\"}", "--out", learnedRuns.toString()));
    String learnedOut = Launcher.bin(work, "roundhouse", 300, learned.toArray(String[]::new)).assertOk().output();
    Path learnedDir = RunDirs.single(learnedRuns, learnedOut);
    RunDirs.stepLosses(learnedDir, 5);
    String learnedProvenance = RunDirs.json(learnedDir.resolve("provenance.json")).toString();
    assertTrue(learnedProvenance.contains(learnedJar.getFileName().toString()), "provenance: " + learnedProvenance);
  }

  @Test
  void exampleProjectsBuildAgainstThisVersionOfTheApi() throws IOException {
    Pattern p = Pattern.compile("<roundhouse.version>([^<]+)</roundhouse.version>");
    for (String project : List.of("hash-router", "learned-router", "template", "template-attention", "template-precision")) {
      Path pom = Dist.home().resolve("sdk/examples").resolve(project).resolve("pom.xml");
      Matcher m = p.matcher(Files.readString(pom));
      assertTrue(m.find(), pom + " has no <roundhouse.version>");
      assertEquals(PluginProjects.version(), m.group(1), pom + ": <roundhouse.version> must be this build's version");
    }
  }
}
