package dev.roundhouse.app.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.RunFiles;
import dev.roundhouse.app.UiExecutor;
import dev.roundhouse.app.compare.CompareViewModel;
import dev.roundhouse.app.runs.RunSummary;
import dev.roundhouse.host.sweep.SweepFolder;
import dev.roundhouse.host.sweep.SweepReport;
import dev.roundhouse.host.sweep.TrialSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.collections.FXCollections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep folder written as the host writes one (sweep.json, two trial run directories through the host's metrics
 * writer, report.json by the host's {@link SweepReport}): the Sweep screen shows the report's rows, and selected
 * trials reach the Compare screen. No FX toolkit.
 */
class SweepViewModelTest {
  @TempDir
  Path tmp;

  /** {@code parent/router-ablation}: two trials (one done, one interrupted before its first eval) and report.json. */
  @Test
  void showsTheReportRowsAndComparesSelectedTrials() throws Exception {
    Path dir = RunFiles.sweepFolder(tmp);
    CompareViewModel compare = new CompareViewModel(FXCollections.observableArrayList());
    AtomicInteger shown = new AtomicInteger();
    try (SweepViewModel vm = new SweepViewModel(compare, shown::incrementAndGet, UiExecutor.direct())) {
      vm.open(dir).get(30, TimeUnit.SECONDS);
      assertEquals("router-ablation: 2 trial(s) from report.json", vm.messageProperty().get());
      assertEquals(2, vm.rows().size());

      SweepRow done = vm.rows().get(0);
      assertEquals("trial-000", done.trial());
      assertEquals(dir.resolve("trial-000"), done.dir());
      assertEquals("done", done.status());
      assertEquals("router=softmax-topk auxCoef=0.01, seed=1", done.parameters());
      assertEquals(10L, done.steps());
      assertEquals(4.2, done.finalValLoss(), 1e-9); // evals 5.2 - 0.1 s at steps 5 and 10
      assertEquals("4.2000", done.bestText());
      assertEquals(0, done.deadExperts());
      assertTrue(done.tokensToTarget() > 0, "target 4.5 is reached at step 10");

      SweepRow partial = vm.rows().get(1);
      assertEquals("interrupted", partial.status());
      assertEquals("router=sigmoid-topk, seed=1", partial.parameters());
      assertNull(partial.bestValLoss()); // never evaluated
      assertEquals("-", partial.bestText());
      assertEquals("-", partial.tokensToTargetText());

      // the same numbers as the host's report, field by field
      List<TrialSummary> host = SweepReport.of(SweepFolder.open(dir)).rows();
      for (int i = 0; i < host.size(); i++) {
        TrialSummary h = host.get(i);
        SweepRow r = vm.rows().get(i);
        assertEquals(h.trial(), r.trial());
        assertEquals(h.status(), r.status());
        assertEquals(h.steps(), r.steps());
        assertEquals(h.finalValLoss(), r.finalValLoss());
        assertEquals(h.bestValLoss(), r.bestValLoss());
        assertEquals(h.timeToTargetS(), r.timeToTargetS());
        assertEquals(h.tokensToTarget(), r.tokensToTarget());
        assertEquals(h.tokensPerS(), r.tokensPerS());
        assertEquals(h.worstCvPct(), r.worstCvPct());
        assertEquals(h.minEntropy(), r.minEntropy());
        assertEquals(h.deadExperts(), r.deadExperts());
      }

      vm.compareSelected(List.copyOf(vm.rows()));
      assertEquals(1, shown.get(), "the Compare screen is shown");
      assertEquals("Comparing 2 run(s)", compare.messageProperty().get());
      assertEquals(List.of("trial-000 loss", "trial-000 val", "trial-001 loss"),
          compare.lossCurves().stream().map(c -> c.name()).toList());
      assertEquals(10, compare.lossCurves().get(0).points().size());
      assertEquals(2, compare.configDiff().size());
      assertTrue(compare.configDiff().get(0).startsWith("trial-000: "), compare.configDiff().get(0));
      assertEquals(2, compare.finalHealth().stream().map(h -> h.run()).distinct().count());

      vm.compareSelected(List.of());
      assertEquals(1, shown.get());
      assertEquals("Select one or more trials to compare", vm.messageProperty().get());
    }
  }

  @Test
  void aFolderWithoutSweepOrReportSaysWhichFileIsMissing() throws Exception {
    CompareViewModel compare = new CompareViewModel(FXCollections.<RunSummary>observableArrayList());
    try (SweepViewModel vm = new SweepViewModel(compare, () -> { }, UiExecutor.direct())) {
      Path notSweep = Files.createDirectories(tmp.resolve("plain"));
      vm.open(notSweep).get(30, TimeUnit.SECONDS);
      assertEquals(notSweep + ": not a sweep folder (no sweep.json)", vm.messageProperty().get());
      assertTrue(vm.rows().isEmpty());

      Path dir = RunFiles.sweepFolder(tmp);
      vm.open(dir).get(30, TimeUnit.SECONDS);
      assertEquals(2, vm.rows().size());
      Files.delete(dir.resolve("report.json"));
      vm.reload().get(30, TimeUnit.SECONDS);
      assertTrue(vm.rows().isEmpty(), "stale rows are cleared");
      assertEquals(dir + ": no report.json yet; run `roundhouse sweep report " + dir + "`",
          vm.messageProperty().get());

      Files.writeString(dir.resolve("report.json"), "{\"format\": 1}");
      vm.reload().get(30, TimeUnit.SECONDS);
      assertEquals(dir.resolve("report.json") + ": trials: missing or not a list", vm.messageProperty().get());
    }
  }
}
