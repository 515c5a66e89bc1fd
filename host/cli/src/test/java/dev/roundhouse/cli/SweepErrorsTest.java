package dev.roundhouse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.host.sweep.SweepFolder;
import dev.roundhouse.host.sweep.SweepPlan;
import dev.roundhouse.host.sweep.SweepSpec;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad sweep input through the CLI, none of which trains or submits anything: axes naming unknown fields (host and
 * plugin sections) or values of the wrong type (JSON paths in the errors), an invalid trial under the Slurm executor
 * (reported before any job), sbatch missing (the error names the executor), a folder held by another sweep command
 * (lock) or holding a different sweep, and status/cancel of folders that are not sweeps.
 */
class SweepErrorsTest {
  @TempDir Path tmp;

  static final String SET = String.format(SweepFiles.TINY_SET, 4, 2, 2);

  Path sweep(String axes) {
    return SweepFiles.write(tmp.resolve("s.json"), "{\"name\": \"bad\", \"set\": " + SET + ", \"axes\": [" + axes
        + "]}");
  }

  @Test
  void unknownFieldsAndWrongTypesAreReportedWithTheirPathsAndNothingStarts() {
    Path file = sweep("{\"path\": \"model.moe.rooter\", \"values\": [{\"type\": \"softmax-topk\"}]},"
        + "{\"path\": \"train.steps\", \"values\": [4, \"many\"]},"
        + "{\"path\": \"model.moe.router\", \"values\": [{\"type\": \"softmax-topk\", \"auxLosCoef\": 0.1}]}");
    for (String executor : new String[] {"local", "slurm"}) {
      Path out = tmp.resolve("out-" + executor);
      MainTest.Result r = MainTest.main("sweep", file.toString(), "--executor", executor, "--out", out.toString(),
          "--plugins", MainTest.plugins());
      assertEquals(ExitCodes.USAGE_OR_CONFIG, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("axes[0].values[0] (model.moe.rooter={\"type\":\"softmax-topk\"}): "
          + "model.moe.rooter: unknown key"), r.err());
      assertTrue(r.err().contains("axes[1].values[1] (train.steps=\"many\"): train.steps:"), r.err());
      assertTrue(r.err().contains("axes[2].values[0]") && r.err().contains("auxLosCoef"), r.err());
      assertTrue(r.err().contains("nothing was started"), r.err());
      assertFalse(Files.exists(out), "no folder, no job: " + out);
    }
  }

  @Test
  void missingSbatchIsAnErrorNamingTheExecutor() {
    Path file = SweepFiles.routerSweep(tmp, "nosbatch", 4, 2, 2, "");
    System.setProperty("roundhouse.slurm.bin", tmp.resolve("no-slurm-here").toString());
    try {
      MainTest.Result r = MainTest.main("sweep", file.toString(), "--executor", "slurm", "--out",
          tmp.resolve("o").toString(), "--plugins", MainTest.plugins());
      assertEquals(ExitCodes.USAGE_OR_CONFIG, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("slurm executor: sbatch not found"), r.err());
      assertTrue(r.err().contains("--executor local"), r.err());
      assertFalse(Files.exists(tmp.resolve("o")));
    } finally {
      System.clearProperty("roundhouse.slurm.bin");
    }
  }

  @Test
  void aFolderHeldByAnotherSweepCommandIsRefused() throws Exception {
    Path file = SweepFiles.routerSweep(tmp, "locked", 4, 2, 2, "");
    Path out = tmp.resolve("locked-out");
    Files.createDirectories(out);
    try (FileChannel ch = FileChannel.open(out.resolve(SweepFolder.LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock held = ch.lock()) {
      MainTest.Result r = MainTest.main("sweep", file.toString(), "--out", out.toString(), "--plugins",
          MainTest.plugins());
      assertEquals(ExitCodes.USAGE_OR_CONFIG, r.code(), r.out() + r.err());
      assertTrue(r.err().contains("another sweep command is using this folder"), r.err());
      assertFalse(Files.exists(out.resolve("sweep.json")));
    }
  }

  @Test
  void aFolderHoldingADifferentSweepIsRefused() {
    Path a = SweepFiles.routerSweep(tmp, "same", 4, 2, 2, "");
    Path out = tmp.resolve("shared");
    try (SweepFolder f = SweepFolder.claim(out, SweepPlan.of(SweepSpec.read(a)), a.toString(), "local")) {
      assertEquals(4, f.trials().size());
    }
    Path b = SweepFiles.routerSweep(tmp.resolve("b"), "same", 5, 2, 2, "");
    MainTest.Result r = MainTest.main("sweep", b.toString(), "--out", out.toString(), "--plugins",
        MainTest.plugins());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("this folder holds a different sweep: trial-000's config differs"), r.err());
    assertFalse(Files.exists(out.resolve("trial-000")));
  }

  @Test
  void statusAndCancelNeedASweepFolder() {
    MainTest.Result status = MainTest.main("sweep", "status", tmp.toString());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, status.code());
    assertTrue(status.err().contains("not a sweep folder"), status.err());
    Path a = SweepFiles.routerSweep(tmp, "nojob", 4, 2, 2, "");
    Path out = tmp.resolve("nojob-out");
    try (SweepFolder f = SweepFolder.claim(out, SweepPlan.of(SweepSpec.read(a)), a.toString(), "local")) {
      assertEquals(4, f.trials().size());
    }
    MainTest.Result cancel = MainTest.main("sweep", "cancel", out.toString());
    assertEquals(ExitCodes.USAGE_OR_CONFIG, cancel.code());
    assertTrue(cancel.err().contains("slurm executor: ") && cancel.err().contains("has no submitted job"),
        cancel.err());
  }
}
