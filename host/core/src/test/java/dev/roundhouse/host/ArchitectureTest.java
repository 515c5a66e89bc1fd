package dev.roundhouse.host;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * host/core's package layers, bottom to top (docs/architecture.md):
 *
 * <pre>
 * base      data, env            no host dependencies
 * records   run, metrics         the run directory and its event/metrics records
 * config    config, optim        run config records and optimizer groups
 * plugins   registry             PF4J plugin jars -> providers, plugin sections read through them
 * model     model                the MoE transformer built from a config and providers
 * transfer  export               Hugging Face-style export/import of a model's weights, upcycling
 * training  train                runs, trainer, evaluation
 * sweeps    sweep                sweeps of runs (local and Slurm executors, reports)
 * </pre>
 *
 * <p>The benchmark tools ({@code dev.roundhouse.host.bench}) are the module host/bench, which depends on this one,
 * so nothing here can use them.
 */
@AnalyzeClasses(packages = "dev.roundhouse.host", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String HOST = "dev.roundhouse.host.";

  @ArchTest
  static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("base").definedBy(HOST + "data..", HOST + "env..")
      .layer("records").definedBy(HOST + "run..", HOST + "metrics..")
      .layer("config").definedBy(HOST + "config..", HOST + "optim..")
      .layer("plugins").definedBy(HOST + "registry..")
      .layer("model").definedBy(HOST + "model..")
      .layer("transfer").definedBy(HOST + "export..")
      .layer("training").definedBy(HOST + "train..")
      .layer("sweeps").definedBy(HOST + "sweep..")
      .whereLayer("sweeps").mayNotBeAccessedByAnyLayer()
      .whereLayer("training").mayOnlyBeAccessedByLayers("sweeps")
      .whereLayer("transfer").mayOnlyBeAccessedByLayers("training", "sweeps")
      .whereLayer("model").mayOnlyBeAccessedByLayers("transfer", "training", "sweeps")
      .whereLayer("plugins").mayOnlyBeAccessedByLayers("model", "transfer", "training", "sweeps")
      .whereLayer("config").mayOnlyBeAccessedByLayers("plugins", "model", "transfer", "training", "sweeps")
      .whereLayer("records").mayOnlyBeAccessedByLayers("config", "plugins", "model", "transfer", "training", "sweeps")
      .because("each layer uses only the layers below it, so a package can be read without those above");

  /** No package cycles (config records, optimizer groups included, live in {@code config}; optim builds from them). */
  @ArchTest
  static final ArchRule noCycles = slices().matching(HOST + "(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule noConsoleOutput = noClasses()
      .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
      .orShould().callMethod(Throwable.class, "printStackTrace")
      .because("core reports through return values, exceptions, events and the log; the CLI and the app print");
}
