package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.roundhouse.host.config.ConfigException;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.DataException;
import dev.roundhouse.host.registry.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outside probe, config class: values that cannot work must be refused by what {@code validate} runs
 * ({@link ConfigLoader} then {@link RunFactory#pluginProblems} then {@link RunFactory#checkData}), with one problem
 * that starts with the JSON path at fault, never later by {@code run}. Non-finite and absurd numbers in every host
 * section and in plugin sections, empty {@code --set} values, duplicate keys, deep nesting, a binary file, and a huge
 * value (cut in the message).
 */
class ConfigProbeTest {
  @TempDir static Path tmp;
  static PluginRegistry registry;

  @BeforeAll
  static void open() {
    registry = TinyRuns.registry();
  }

  @AfterAll
  static void close() {
    System.out.printf("config probe: %d bad values refused, %d with one problem starting with the JSON path or"
        + " naming the file%n", tried, named);
    if (registry != null) {
      registry.close();
    }
  }

  /** Runs what validate runs; returns the problems as validate prints them, file first when given. */
  static List<String> validate(Path file, String... sets) {
    return validated(file, sets).stream().map(p -> file == null ? p : file + ": " + p).toList();
  }

  static List<String> validated(Path file, String... sets) {
    try {
      RunConfig cfg = ConfigLoader.load(file, List.of(sets));
      List<String> problems = RunFactory.pluginProblems(cfg, registry);
      if (problems.isEmpty()) {
        RunFactory.checkData(cfg);
      }
      return problems;
    } catch (ConfigException e) {
      return e.problems();
    } catch (DataException e) {
      return List.of("data: " + e.getMessage());
    }
  }

  static final String[] NON_FINITE = {"NaN", "Infinity", "-Infinity", "1e400", "\"NaN\"", "\"Infinity\""};
  static final String[] FLOAT_FIELDS = {"model.ropeTheta", "model.initStd", "model.normEps", "train.gradClip",
      "model.moe.capacityFactor", "train.alarms.entropyNormMin", "train.alarms.cvPctMax",
      "train.alarms.maxLoadPinnedRatio", "train.minLrFrac", "train.decayFrac", "data.valFraction", "optimizer.lr",
      "optimizer.weightDecay"};

  /** Figures for docs/reliability.md. */
  static int tried;
  static int named;

  static void expectProblem(String path, List<String> problems, String what) {
    tried++;
    if (problems.isEmpty()) {
      fail(what + ": accepted");
    }
    assertTrue(problems.get(0).startsWith(path), what + ": " + problems);
    assertFalse(problems.get(0).contains("Exception") || problems.get(0).contains("java."), problems.toString());
    named++;
  }

  @Test
  void everyNonFiniteNumberIsRefusedNamingItsPath() {
    for (String field : FLOAT_FIELDS) {
      for (String v : NON_FINITE) {
        expectProblem(field, validate(null, "name=probe", field + "=" + v), field + "=" + v);
      }
    }
  }

  @Test
  void numbersThatCannotTrainAreRefused() {
    String[][] cases = {{"model.initStd", "1e30"}, {"model.initStd", "0"}, {"model.normEps", "1"},
        {"model.ropeTheta", "1e300"}, {"model.ropeTheta", "-1"}, {"train.gradClip", "-1"},
        {"model.moe.capacityFactor", "1e9"}, {"train.alarms.cvPctMax", "1e300"}, {"data.valFraction", "0"},
        {"data.valFraction", "1"}, {"model.vocabSize", "1"}, {"train.maxConsecutiveSkips", "0"}};
    for (String[] c : cases) {
      expectProblem(c[0], validate(null, c[0] + "=" + c[1]), c[0] + "=" + c[1]);
    }
  }

  @Test
  void whatRunWouldRejectForTheDataValidateRejectsFirst() throws Exception {
    Path text = tmp.resolve("small.txt");
    Files.writeString(text, "hello world, z is beyond a tiny vocabulary\n".repeat(200));
    List<String> p = validate(null, "data.path=" + text, "model.vocabSize=100");
    tried++;
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("data: ") && p.get(0).contains(text.toString())
        && p.get(0).contains("model.vocabSize=100"), p.toString());
    named++;
  }

  @Test
  void emptyOverrideValuesAndKeysAreRefused() {
    expectProblem("model.dModel: empty value", validate(null, "model.dModel="), "empty value");
    expectProblem("model.dModel: empty value", validate(null, "model.dModel=  "), "blank value");
    expectProblem("empty key in 'model..dModel'", validate(null, "model..dModel=3"), "empty key");
    assertTrue(validate(null, "model.dModel=null").isEmpty(), "explicit null keeps the default");
  }

  @Test
  void duplicateKeysNestingBinaryAndHugeValues() throws Exception {
    Path dup = tmp.resolve("dup.json");
    Files.writeString(dup, "{\"train\": {\"steps\": 5, \"steps\": 7}}");
    List<String> p = validate(dup);
    expectProblem(dup.toString(), p, "duplicate key");
    assertTrue(p.get(0).contains("Duplicate field 'steps'") && p.get(0).contains("line 1"), p.toString());

    Path deep = tmp.resolve("deep.json");
    Files.writeString(deep, "{\"a\":".repeat(1500) + "1" + "}".repeat(1500));
    p = validate(deep);
    expectProblem(deep.toString(), p, "deep nesting");
    assertTrue(p.get(0).contains("nested deeper than 1000"), p.toString());

    Path bin = tmp.resolve("config.bin.json");
    Files.write(bin, new byte[] {0x7f, 'E', 'L', 'F', (byte) 0xff, (byte) 0xfe, 0, 1, 2});
    p = validate(bin);
    expectProblem(bin.toString(), p, "binary file");
    assertTrue(p.get(0).contains("not UTF-8 JSON"), p.toString());

    String huge = "x".repeat(10_000_000);
    p = validate(null, "name=" + huge);
    expectProblem("name", p, "10 MB name");
    assertTrue(p.get(0).length() < 400 && p.get(0).contains("10000000 characters"), p.get(0).length() + " chars");

    p = validate(null, "model.seqLen=" + "9".repeat(5000));
    expectProblem("model.seqLen", p, "5000-digit number");
    assertTrue(p.get(0).length() < 400, p.get(0));
  }

  @Test
  void theResolvedConfigNeverStoresANonFiniteNumber() {
    // what reaches config.json: everything validate accepts is finite
    RunConfig cfg = TinyRuns.tiny();
    String json = RunFactory.resolve(cfg, registry).toString();
    assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
  }
}
