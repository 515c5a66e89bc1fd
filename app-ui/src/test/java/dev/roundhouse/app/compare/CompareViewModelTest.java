package dev.roundhouse.app.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.roundhouse.app.RunFiles;
import dev.roundhouse.app.dashboard.RunHistory;
import dev.roundhouse.app.runs.RunSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compare curves without the FX toolkit: one colour per run, val dashed, health and aux overlaid, sweep trials. */
class CompareViewModelTest {
  @TempDir
  Path tmp;

  private RunSummary run(String name, int steps) throws Exception {
    Path dir = RunFiles.write(tmp.resolve("runs"), name, RunFiles.trained(name, steps, steps, true));
    return new RunSummary(name, dir, "finished", steps, steps, null, "");
  }

  @Test
  void oneColourPerRunValDashedHealthAndAuxOverlaid() throws Exception {
    CompareViewModel vm = new CompareViewModel(FXCollections.observableArrayList());
    vm.compare(List.of(run("a", 10), run("b", 15)));
    List<CompareCurve> loss = vm.lossCurves();
    assertEquals(List.of("a loss", "a val", "b loss", "b val"), loss.stream().map(CompareCurve::name).toList());
    assertEquals(loss.get(0).colour(), loss.get(1).colour(), "a's train and val share its colour");
    assertEquals(loss.get(2).colour(), loss.get(3).colour());
    assertNotEquals(loss.get(0).colour(), loss.get(2).colour(), "one colour per run");
    assertEquals("", loss.get(0).dash(), "train solid");
    assertEquals(CompareCurve.VAL_DASH, loss.get(1).dash(), "val dashed");
    assertEquals(vm.colourOf("b"), loss.get(2).colour());

    List<CompareCurve> health = vm.healthCurves();
    assertEquals(List.of("a layer 1 cv_pct", "b layer 1 cv_pct"), health.stream().map(CompareCurve::name).toList());
    assertEquals(15, health.get(1).points().size(), "one point per load window");
    assertEquals(loss.get(2).colour(), health.get(1).colour());
    vm.healthMetricProperty().set(RunHistory.ENTROPY);
    assertTrue(vm.healthCurves().get(0).name().endsWith("entropy_norm"));

    List<CompareCurve> aux = vm.auxCurves();
    assertEquals(List.of("a aux", "b aux"), aux.stream().map(CompareCurve::name).toList());
    assertEquals(vm.colourOf("a"), aux.get(0).colour());
  }

  @Test
  void aSweepFoldersTrialsBecomeSelectableRuns() throws Exception {
    ObservableList<RunSummary> available = FXCollections.observableArrayList();
    available.add(run("plain", 5));
    CompareViewModel vm = new CompareViewModel(available);
    Path sweep = RunFiles.sweepFolder(tmp);
    List<RunSummary> trials = vm.openSweep(sweep);
    assertEquals(List.of("router-ablation/trial-000", "router-ablation/trial-001"),
        trials.stream().map(RunSummary::name).toList());
    assertEquals(3, vm.candidates().size(), "the Runs screen's run and the two trials");
    assertEquals("done", trials.get(0).status());
    vm.compare(List.of(available.get(0), trials.get(1)));
    assertEquals("Comparing 2 run(s)", vm.messageProperty().get());
    Set<String> compared = vm.compared().stream().map(RunSummary::name).collect(Collectors.toSet());
    assertEquals(Set.of("plain", "router-ablation/trial-001"), compared);
    vm.openSweep(sweep);
    assertEquals(3, vm.candidates().size(), "opening the sweep again adds nothing twice");
    vm.openSweep(tmp.resolve("nowhere"));
    assertTrue(vm.messageProperty().get().startsWith("Cannot open sweep"), vm.messageProperty().get());
  }
}
