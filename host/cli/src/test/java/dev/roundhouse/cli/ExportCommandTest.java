package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code roundhouse export} and {@code import} end to end: the exported modeling file prints exactly
 * what {@code roundhouse sample --temperature 0} prints (skips that part without /usr/bin/python3 and
 * torch); import trains a new run from the export; bad arguments are usage errors.
 */
class ExportCommandTest {
  static final String PYTHON = "/usr/bin/python3";
  @TempDir Path tmp;

  @Test
  void exportSampleParityAndImport() throws Exception {
    List<String> args = new ArrayList<>(List.of("run", "--plugins", MainTest.plugins(), "--out", tmp.toString(),
        "--set", "model.moe.router={\"type\":\"sigmoid-topk\"}"));
    args.addAll(MainTest.TINY);
    MainTest.Result run = MainTest.main(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    Path dir = tmp.resolve("tiny-moe");
    Path out = tmp.resolve("export");

    MainTest.Result noOut = MainTest.main("export", dir.toString(), "--plugins", MainTest.plugins());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, noOut.code());
    assertTrue(noOut.err().contains("--out"), noOut.err());

    MainTest.Result export = MainTest.main("export", dir.toString(), "--plugins", MainTest.plugins(), "--step", "3",
        "--out", out.toString());
    assertEquals(0, export.code(), export.err());
    for (String f : List.of("model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
        "modeling_roundhouse.py", "roundhouse-config.json")) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    MainTest.Result again = MainTest.main("export", dir.toString(), "--plugins", MainTest.plugins(), "--out",
        out.toString());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, again.code());
    assertTrue(again.err().contains("already exists"), again.err());

    MainTest.Result imported = MainTest.main("import", out.toString(), "--plugins", MainTest.plugins(), "--out",
        tmp.resolve("imported").toString(), "--set", "train.steps=2", "--set", "name=from-export");
    assertEquals(0, imported.code(), imported.err());
    assertTrue(Files.isDirectory(tmp.resolve("imported/from-export/checkpoints")), imported.out());

    if (torch()) {
      Path latest = tmp.resolve("export-latest");
      assertEquals(0, MainTest.main("export", dir.toString(), "--plugins", MainTest.plugins(), "--out",
          latest.toString()).code());
      MainTest.Result sample = MainTest.main("sample", dir.toString(), "--plugins", MainTest.plugins(), "--prompt",
          "ab", "--tokens", "30", "--temperature", "0");
      assertEquals(0, sample.code(), sample.err());
      ProcessBuilder pb = new ProcessBuilder(PYTHON, latest.resolve("modeling_roundhouse.py").toString(),
          latest.toString(), "--prompt", "ab", "--tokens", "30").redirectErrorStream(true);
      pb.environment().put("PYTHONIOENCODING", "utf-8");
      Process p = pb.start();
      String py = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(300, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), py);
      assertEquals(sample.out(), py);
    }
  }

  @Test
  void importOfAStockDeepSeekV3Folder() {
    List<String> args = new ArrayList<>(List.of("run", "--plugins", MainTest.plugins(), "--out", tmp.toString()));
    args.addAll(MainTest.TINY);
    args.addAll(List.of("--set", "model.attention={\"type\":\"mla\",\"kvLoraRank\":16}", "--set",
        "model.moe.router={\"type\":\"sigmoid-topk\"}", "--set", "model.moe.sharedHidden=16"));
    MainTest.Result run = MainTest.main(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    Path out = tmp.resolve("export");
    assertEquals(0, MainTest.main("export", tmp.resolve("tiny-moe").toString(), "--plugins", MainTest.plugins(),
        "--out", out.toString()).code());
    Path ds = out.resolve("deepseek_v3");
    assertTrue(Files.isDirectory(ds), "the mla + sigmoid-topk run has a DeepSeek-V3 form");

    MainTest.Result imported = MainTest.main("import", ds.toString(), "--plugins", MainTest.plugins(), "--out",
        tmp.resolve("imported").toString(), "--set", "name=from-deepseek", "--set", "data.syntheticBytes=40000",
        "--set", "train.batchSize=2", "--set", "train.steps=2", "--set", "train.warmupSteps=1", "--set",
        "train.evalEvery=2", "--set", "train.evalBatches=1", "--set", "train.checkpointEvery=2");
    assertEquals(0, imported.code(), imported.err());
    assertTrue(Files.isDirectory(tmp.resolve("imported/from-deepseek/checkpoints")), imported.out());

    MainTest.Result notExport = MainTest.main("import", tmp.resolve("tiny-moe").toString(), "--plugins",
        MainTest.plugins());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, notExport.code());
    assertTrue(notExport.err().contains("deepseek_v3"), notExport.err());
  }

  static boolean torch() throws Exception {
    if (!new File(PYTHON).canExecute()) {
      return false;
    }
    Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
    return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
