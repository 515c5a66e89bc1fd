package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end in-process: exit codes and messages of every command. */
class MainTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  static String plugins() {
    String dir = System.getProperty("roundhouse.test.plugins");
    Assumptions.assumeTrue(dir != null && Files.isDirectory(Path.of(dir)), "plugin jars not built");
    return dir;
  }

  static Result main(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static final List<String> TINY = List.of(
      "--set", "data.syntheticBytes=40000", "--set", "model.seqLen=16", "--set", "model.dModel=32",
      "--set", "model.nLayers=2", "--set", "model.nHeads=2", "--set", "model.moe.routedExperts=4",
      "--set", "model.moe.expertHidden=16", "--set", "model.moe.denseHidden=64", "--set", "model.moe.sharedHidden=32",
      "--set", "train.batchSize=2", "--set", "train.steps=6", "--set", "train.warmupSteps=2",
      "--set", "train.evalEvery=3", "--set", "train.evalBatches=1", "--set", "train.checkpointEvery=3",
      "--set", "train.logEvery=1");

  static String[] cmd(String command, String... rest) {
    List<String> a = new ArrayList<>(List.of(command));
    a.addAll(List.of(rest));
    return a.toArray(String[]::new);
  }

  @Test
  void pluginsListsEveryBuiltInFamily() {
    Result r = main("plugins", "--plugins", plugins());
    assertEquals(0, r.code(), r.err());
    for (String id : List.of("mha", "softmax-topk", "fp32", "adamw")) {
      assertTrue(r.out().contains(id), r.out());
    }
  }

  @Test
  void runThenResumeEvalAndSample() throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "--plugins", plugins(), "--out", tmp.toString()));
    args.addAll(TINY);
    Result run = main(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("val_loss"), run.out());
    Path dir = tmp.resolve("tiny-moe");
    assertTrue(Files.isRegularFile(dir.resolve("metrics.jsonl")));

    Result eval = main("eval", dir.toString(), "--plugins", plugins(), "--batches", "2");
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("val_loss"), eval.out());

    Result sample = main("sample", dir.toString(), "--plugins", plugins(), "--prompt", "ab", "--tokens", "5");
    assertEquals(0, sample.code(), sample.err());
    assertTrue(sample.out().startsWith("ab"), sample.out());

    Result resume = main("resume", dir.toString(), "--plugins", plugins());
    assertEquals(0, resume.code(), resume.err()); // already at the last step: finishes at once
  }

  @Test
  void validateReportsEveryProblemWithItsPath() throws Exception {
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"model\": {\"nHeads\": 3, \"moe\": {\"topK\": 99}}, \"train\": {\"stepz\": 1}}");
    Result r = main("validate", bad.toString(), "--plugins", plugins());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("train.stepz"), r.err());

    Files.writeString(bad, "{\"model\": {\"nHeads\": 3, \"moe\": {\"topK\": 99}}}");
    r = main("validate", bad.toString(), "--plugins", plugins());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("model.nHeads") && r.err().contains("model.moe.topK"), r.err());

    Files.writeString(bad, "{\"model\": {\"moe\": {\"router\": {\"type\": \"nope\"}}}}");
    r = main("validate", bad.toString(), "--plugins", plugins());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("model.moe.router") && r.err().contains("softmax-topk"), r.err());

    Files.writeString(bad, "{\"model\": ");
    r = main("validate", bad.toString(), "--plugins", plugins());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("line 1"), r.err());

    Path good = Path.of(System.getProperty("user.dir")).resolve("../../configs/tiny-moe.json").normalize();
    r = main("validate", good.toString(), "--plugins", plugins());
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void missingDataFileIsADataErrorNamingTheFile() {
    Result r = main("run", "--plugins", plugins(), "--out", tmp.toString(), "--data", tmp.resolve("nope.txt").toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("nope.txt"), r.err());
  }

  @Test
  void aConfigThatCannotFitIsRefusedWithTheEstimateBeforeAnythingIsBuilt() {
    Result r = main("run", "--plugins", plugins(), "--out", tmp.toString(), "--set", "train.batchSize=1000000");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.out().contains("memory estimate: ~"), r.out());
    assertTrue(r.err().contains("memory: this config needs") && r.err().contains("--force"), r.err());
    assertTrue(!Files.exists(tmp.resolve("tiny-moe")), "no run directory made");
  }

  @Test
  void usageErrors() {
    assertEquals(2, main("frobnicate").code());
    assertEquals(2, main("run", "--bogus").code());
    assertEquals(0, main("--help").code());
  }
}
