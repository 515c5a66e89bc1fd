package dev.roundhouse.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The UI never touches ND4J; only ViewModels (and their plain-data helpers) talk to the host. */
@AnalyzeClasses(packages = "dev.roundhouse.app", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule noNd4j = noClasses().that().resideInAPackage("dev.roundhouse.app..")
      .should().dependOnClassesThat().resideInAnyPackage("org.nd4j..", "org.bytedeco..")
      .because("the desktop app works through host core and never sees tensors");

  @ArchTest
  static final ArchRule noTensorEngine = noClasses().that().resideInAPackage("dev.roundhouse.app..")
      .should().dependOnClassesThat().resideInAPackage("dev.roundhouse.tensor..")
      .because("arenas, parameters and the training thread belong to the host's run session");

  @ArchTest
  static final ArchRule viewsDoNotTalkToHost = noClasses().that().haveSimpleNameEndingWith("View")
      .or().haveSimpleNameEndingWith("Canvas").or().haveSimpleNameEndingWith("Fx")
      .should().dependOnClassesThat().resideInAPackage("dev.roundhouse.host..")
      .because("MVVM: only ViewModels talk to the host");

  @ArchTest
  static final ArchRule viewModelsHaveNoControls = noClasses().that().haveSimpleNameEndingWith("ViewModel")
      .should().dependOnClassesThat().resideInAnyPackage("javafx.scene.control..", "javafx.scene.layout..",
          "javafx.stage..")
      .because("ViewModels stay testable without the FX toolkit");
}
