package dev.roundhouse.host.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.config.ConfigLoader;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.data.ByteTokenizer;
import dev.roundhouse.host.export.DeepSeekV3Export;
import dev.roundhouse.host.export.DeepSeekV3Import;
import dev.roundhouse.host.export.ExportException;
import dev.roundhouse.host.export.HfExport;
import dev.roundhouse.host.export.HfImport;
import dev.roundhouse.host.metrics.EventBus;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.BoundPlugins;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.SafeTensors;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.StepArena;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Export parity: tiny runs of four architectures train a few steps through the real plugin jars, are
 * exported, and the shipped modeling_roundhouse.py (run by Debian's /usr/bin/python3 with torch)
 * gives the same logits on fixed token sequences (max abs diff <= 1e-4, fp32) and the same 50 greedy
 * tokens and text as Roundhouse's sampler. Export -> import gives bit-identical logits. Skips (with the
 * reason) when /usr/bin/python3 or its torch is missing.
 */
class HfExportParityTest {
  static final String PYTHON = "/usr/bin/python3";
  static final int STEPS = 6;
  static final double TOLERANCE = 1e-4;
  static PluginRegistry registry;
  @TempDir static Path tmp;

  @BeforeAll
  static void open() {
    registry = TinyRuns.registry();
  }

  @AfterAll
  static void close() {
    if (registry != null) {
      registry.close();
    }
  }

  /** The architectures under test; all have a dense first layer, MoE layers after and shared experts. */
  static List<String> overrides(String arch) {
    return switch (arch) {
      case "mha-softmax" -> List.of("model.nLayers=3", "model.attention={\"type\":\"mha\"}",
          "model.moe.router={\"type\":\"softmax-topk\"}");
      case "gqa-sigmoid-bias" -> List.of("model.nLayers=3", "model.tieEmbeddings=true",
          "model.attention={\"type\":\"gqa\",\"nKvHeads\":1,\"qkNorm\":true,\"softCap\":30}",
          "model.moe.routedExperts=8", "model.moe.router={\"type\":\"sigmoid-topk\",\"biasUpdateRate\":0.05,"
              + "\"routeScale\":2.0,\"groups\":2,\"topGroups\":1}");
      case "swa-local-global" -> List.of("model.nLayers=3",
          "model.attention={\"type\":\"swa\",\"window\":4,\"ropeFraction\":0.5}",
          "model.globalAttention={\"type\":\"mha\"}", "model.globalEvery=2", "model.globalLast=true");
      case "mla" -> List.of("model.nLayers=3", "model.attention={\"type\":\"mla\",\"qLoraRank\":8,\"kvLoraRank\":16}",
          "model.moe.router={\"type\":\"sigmoid-topk\",\"biasUpdateRate\":0.05}", "model.moe.sharedExperts=2",
          "model.moe.sharedHidden=16", "model.moe.routedExperts=6", "model.moe.topK=3");
      default -> throw new IllegalArgumentException(arch);
    };
  }

  static Path train(String arch, List<String> extra) {
    List<String> sets = new ArrayList<>(extra);
    sets.addAll(List.of("name=" + arch, "train.steps=" + STEPS, "train.warmupSteps=2", "train.evalEvery=" + STEPS,
        "train.checkpointEvery=" + STEPS));
    Runs.Prepared p = Runs.create(TinyRuns.tiny(sets.toArray(String[]::new)), registry, tmp.resolve("runs-" + arch),
        new EventBus());
    Runs.execute(p);
    return p.run().directory().root();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mha-softmax", "gqa-sigmoid-bias", "swa-local-global", "mla"})
  void pytorchModelingFileGivesTheSameLogitsAndGreedyTokens(String arch) throws Exception {
    requireTorch();
    Path run = train(arch, overrides(arch));
    Path out = RunExport.export(run, null, tmp.resolve("export-" + arch), registry);
    Inference inf = Inference.open(run, registry);
    if (arch.contains("bias")) {
      INDArray bias = inf.model().moeLayers().values().iterator().next().router().expertBias();
      assertTrue(bias.amaxNumber().doubleValue() > 0, "the sigmoid router bias moved during training");
    }

    int b = 3;
    int t = inf.config().model().seqLen();
    int[] tokens = new SplittableRandom(11).ints(b * t, 0, 256).toArray();
    float[] ours = logits(inf.model(), tokens, b, t);
    Path tokensFile = tmp.resolve("tokens-" + arch + ".json");
    List<List<Integer>> rows = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      rows.add(Arrays.stream(Arrays.copyOfRange(tokens, i * t, (i + 1) * t)).boxed().toList());
    }
    Files.writeString(tokensFile, Json.mapper().writeValueAsString(rows));
    Path logitsFile = tmp.resolve("logits-" + arch + ".safetensors");
    String prompt = "ROMEO:";
    String[] py = python(out, "--logits", tokensFile.toString(), "--out", logitsFile.toString(), "--prompt", prompt,
        "--tokens", "50", "--ids").split("\n", 2);
    INDArray theirs = SafeTensors.read(logitsFile).tensors().get("logits");
    assertArrayEquals(new long[] {b, t, 256}, theirs.shape());
    float[] flat = theirs.reshape(b * t * 256L).toFloatVector();
    double worst = 0;
    for (int i = 0; i < flat.length; i++) {
      worst = Math.max(worst, Math.abs(flat[i] - ours[i]));
    }
    System.out.printf("%s: max |logit diff| roundhouse vs pytorch = %.3g%n", arch, worst);
    assertTrue(worst <= TOLERANCE, arch + ": max abs logit difference " + worst + " > " + TOLERANCE);

    int[] javaIds = inf.generate(new ByteTokenizer().encode(prompt), 50, 0.0, 1);
    assertEquals(Arrays.stream(javaIds).mapToObj(String::valueOf).collect(Collectors.joining(" ")), py[0].strip(),
        arch + ": greedy tokens differ");
    assertEquals(prompt + inf.sample(prompt, 50, 0.0, 1) + "\n", py[1], arch + ": greedy text differs");

    // the DeepSeek-V3 form (only the mla run is in that family), checked by a forward in DeepSeek's conventions
    Path deepSeek = out.resolve("deepseek_v3");
    assertEquals(arch.equals("mla"), Files.isDirectory(deepSeek), arch + ": " + Json.read(out.resolve("config.json"))
        .path("roundhouse").path("deepseek_v3").asText());
    if (arch.equals("mla")) {
      Path script = tmp.resolve("deepseek_v3_reference.py");
      try (var in = HfExportParityTest.class.getResourceAsStream("deepseek_v3_reference.py")) {
        Files.write(script, in.readAllBytes());
      }
      Path dsLogits = tmp.resolve("logits-deepseek.safetensors");
      run(List.of(PYTHON, script.toString(), deepSeek.toString(), tokensFile.toString(), dsLogits.toString()));
      float[] ds = SafeTensors.read(dsLogits).tensors().get("logits").reshape(b * t * 256L).toFloatVector();
      double dsWorst = 0;
      for (int i = 0; i < ds.length; i++) {
        dsWorst = Math.max(dsWorst, Math.abs(ds[i] - ours[i]));
      }
      System.out.printf("%s: max |logit diff| roundhouse vs DeepSeek-V3 form = %.3g%n", arch, dsWorst);
      assertTrue(dsWorst <= TOLERANCE, "DeepSeek-V3 form: max abs logit difference " + dsWorst);
    }

    // export -> import: a model built from another seed gets bit-identical logits
    MoeTransformer other = build(inf.config(), 99);
    HfImport.loadInto(other, out);
    assertArrayEquals(ours, logits(other, tokens, b, t), arch + ": imported model's logits differ");
  }

  @Test
  void importStartsARunFromTheExportAndNamesBadTensors() throws Exception {
    Path run = train("import-src", overrides("gqa-sigmoid-bias"));
    Path out = RunExport.export(run, (long) STEPS, tmp.resolve("export-import"), registry);
    Inference inf = Inference.open(run, registry);
    int t = inf.config().model().seqLen();
    int[] tokens = new SplittableRandom(5).ints(2 * t, 0, 256).toArray();

    List<String> sets = new ArrayList<>(List.of("init.from=\"" + out + "\"", "name=imported"));
    RunConfig cfg = ConfigLoader.load(out.resolve(HfExport.RUN_CONFIG), sets);
    Runs.Prepared p = Runs.create(cfg, registry, tmp.resolve("runs-imported"), new EventBus());
    try {
      assertArrayEquals(logits(inf.model(), tokens, 2, t), logits(p.run().model(), tokens, 2, t));
    } finally {
      p.run().directory().close();
    }

    ExportException exists = assertThrows(ExportException.class, () -> RunExport.export(run, null, out, registry));
    assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());

    // a model with a wider expert hidden dim: the error names the tensor and both shapes
    RunConfig wider = ConfigLoader.load(out.resolve(HfExport.RUN_CONFIG), List.of("model.moe.expertHidden=24"));
    MoeTransformer w = build(wider, 1);
    ExportException shape = assertThrows(ExportException.class, () -> HfImport.loadInto(w, out));
    assertTrue(shape.getMessage().contains("model.layers.1.mlp.experts.0.gate_proj.weight")
        && shape.getMessage().contains("[16, 32]") && shape.getMessage().contains("[24, 32]"), shape.getMessage());

    // a folder whose safetensors lacks one tensor
    Path broken = tmp.resolve("export-broken");
    Files.createDirectories(broken);
    Files.copy(out.resolve(HfExport.CONFIG), broken.resolve(HfExport.CONFIG));
    Map<String, INDArray> all = new LinkedHashMap<>(SafeTensors.read(out.resolve(HfExport.WEIGHTS)).tensors());
    all.remove("model.layers.2.self_attn.k_norm.weight");
    SafeTensors.write(broken.resolve(HfExport.WEIGHTS), all, Map.of("format", "pt"));
    MoeTransformer m = build(inf.config(), 1);
    ExportException missing = assertThrows(ExportException.class, () -> HfImport.loadInto(m, broken));
    assertTrue(missing.getMessage().contains("missing tensor 'model.layers.2.self_attn.k_norm.weight'")
        && missing.getMessage().contains("[16]"), missing.getMessage());

    // another architecture
    Files.writeString(broken.resolve(HfExport.CONFIG), "{\"model_type\": \"llama\"}");
    ExportException arch = assertThrows(ExportException.class, () -> HfImport.loadInto(m, broken));
    assertTrue(arch.getMessage().contains("unknown architecture model_type 'llama'"), arch.getMessage());
  }

  @Test
  void stockDeepSeekV3FolderImportsWithTheRunsLogits() throws Exception {
    Path run = train("ds-src", overrides("mla"));
    Path out = RunExport.export(run, null, tmp.resolve("export-ds"), registry);
    Path ds = out.resolve(DeepSeekV3Export.FOLDER);
    assertTrue(Files.isDirectory(ds), "the mla + sigmoid-topk run has a DeepSeek-V3 form");
    Inference inf = Inference.open(run, registry);
    int t = inf.config().model().seqLen();
    int[] tokens = new SplittableRandom(7).ints(2 * t, 0, 256).toArray();
    float[] ours = logits(inf.model(), tokens, 2, t);

    // the model comes from DeepSeek-V3's config.json alone, the weights through init.from
    JsonNode dsConfig = Json.read(ds.resolve(HfExport.CONFIG));
    List<String> sets = new ArrayList<>(DeepSeekV3Import.overrides(dsConfig));
    sets.addAll(List.of("name=ds-imported", "init.from=\"" + ds + "\""));
    RunConfig cfg = TinyRuns.tiny(sets.toArray(String[]::new));
    assertEquals(inf.config().model().moe().topK(), cfg.model().moe().topK());
    assertEquals(inf.config().model().moe().sharedExperts(), cfg.model().moe().sharedExperts());
    assertEquals(inf.config().model().moe().firstDenseLayers(), cfg.model().moe().firstDenseLayers());
    Runs.Prepared p = Runs.create(cfg, registry, tmp.resolve("runs-ds-imported"), new EventBus());
    try {
      assertArrayEquals(ours, logits(p.run().model(), tokens, 2, t), "init.from a deepseek_v3 folder");
    } finally {
      p.run().directory().close();
    }
    MoeTransformer direct = build(cfg, 99);
    HfImport.loadInto(direct, ds);
    assertArrayEquals(ours, logits(direct, tokens, 2, t), "HfImport of a deepseek_v3 folder");
  }

  @Test
  void deepSeekV3ImportNamesMissingTensorsAndUnsupportedFields() throws Exception {
    Path run = train("ds-bad", overrides("mla"));
    Path ds = RunExport.export(run, null, tmp.resolve("export-ds-bad"), registry).resolve(DeepSeekV3Export.FOLDER);
    JsonNode dsConfig = Json.read(ds.resolve(HfExport.CONFIG));
    RunConfig cfg = TinyRuns.tiny(DeepSeekV3Import.overrides(dsConfig).toArray(String[]::new));

    Path broken = tmp.resolve("ds-broken");
    Files.createDirectories(broken);
    Files.copy(ds.resolve(HfExport.CONFIG), broken.resolve(HfExport.CONFIG));
    Map<String, INDArray> all = new LinkedHashMap<>(SafeTensors.read(ds.resolve(HfExport.WEIGHTS)).tensors());
    assertTrue(all.remove("model.layers.1.self_attn.kv_b_proj.weight") != null, all.keySet().toString());
    SafeTensors.write(broken.resolve(HfExport.WEIGHTS), all, Map.of("format", "pt"));
    MoeTransformer m = build(cfg, 1);
    ExportException missing = assertThrows(ExportException.class, () -> HfImport.loadInto(m, broken));
    assertTrue(missing.getMessage().contains("missing tensor 'model.layers.1.self_attn.kv_b_proj.weight'"),
        missing.getMessage());

    // a multi-token-prediction layer after the last one is left out
    Path mtp = tmp.resolve("ds-mtp");
    Files.createDirectories(mtp);
    ObjectNode mtpConfig = ((ObjectNode) dsConfig).deepCopy().put("num_nextn_predict_layers", 1);
    Files.writeString(mtp.resolve(HfExport.CONFIG), Json.mapper().writeValueAsString(mtpConfig));
    Map<String, INDArray> withMtp = new LinkedHashMap<>(SafeTensors.read(ds.resolve(HfExport.WEIGHTS)).tensors());
    withMtp.put("model.layers.3.eh_proj.weight", org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 32, 64));
    SafeTensors.write(mtp.resolve(HfExport.WEIGHTS), withMtp, Map.of("format", "pt"));
    HfImport.loadInto(build(cfg, 2), mtp);
    Files.writeString(mtp.resolve(HfExport.CONFIG), Json.mapper().writeValueAsString(dsConfig));
    ExportException extra = assertThrows(ExportException.class, () -> HfImport.loadInto(build(cfg, 2), mtp));
    assertTrue(extra.getMessage().contains("model.layers.3.eh_proj.weight"), extra.getMessage());

    for (String[] field : new String[][] {{"num_key_value_heads", "1"}, {"rope_scaling", "{\"type\":\"yarn\"}"},
        {"scoring_func", "\"softmax\""}, {"rms_norm_eps", "1e-5"},
        {"quantization_config", "{\"quant_method\":\"fp8\"}"}}) {
      ObjectNode bad = ((ObjectNode) dsConfig).deepCopy();
      bad.set(field[0], Json.mapper().readTree(field[1]));
      ExportException e = assertThrows(ExportException.class, () -> DeepSeekV3Import.overrides(bad));
      assertTrue(e.getMessage().contains("field '" + field[0] + "'") && e.getMessage().contains("not supported"),
          e.getMessage());
    }
  }

  @Test
  void unsupportedAttentionIsRefusedNamingComponentAndPluginAndWritesNothing() {
    Path run = train("nsa", List.of("train.steps=1", "model.attention={\"type\":\"nsa\",\"compressBlock\":4,"
        + "\"compressStride\":2,\"selectBlock\":4,\"selectCount\":2,\"window\":4}"));
    Path out = tmp.resolve("export-nsa");
    ExportException e = assertThrows(ExportException.class, () -> RunExport.export(run, null, out, registry));
    assertTrue(e.getMessage().contains("attention 'nsa' of layer 0") && e.getMessage().contains("plugin roundhouse-attention"),
        e.getMessage());
    assertTrue(!Files.exists(out), "nothing written");
  }

  static MoeTransformer build(RunConfig cfg, long seed) {
    BoundPlugins plugins = BoundPlugins.bind(cfg, registry);
    return dev.roundhouse.host.model.ModelBuilder.build(cfg.model(), plugins,
        plugins.precision().build(new dev.roundhouse.api.PrecisionContext(cfg.model().nLayers(), seed)),
        seed, DataType.FLOAT);
  }

  static float[] logits(MoeTransformer model, int[] tokens, int b, int t) {
    try (StepArena arena = StepArena.open("parity"); NoGrad ng = NoGrad.enter()) {
      return model.logits(tokens, b, t).data().castTo(DataType.FLOAT).reshape((long) b * t * 256).toFloatVector();
    }
  }

  static void requireTorch() throws Exception {
    Assumptions.assumeTrue(new File(PYTHON).canExecute(), PYTHON + " is not installed: skipping the PyTorch parity");
    Process p = new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    Assumptions.assumeTrue(done && p.exitValue() == 0,
        PYTHON + " has no torch (apt-get install python3-torch): skipping the PyTorch parity");
  }

  static String python(Path export, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(PYTHON, export.resolve(HfExport.MODELING).toString(), export.toString()));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  static String run(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PYTHONIOENCODING", "utf-8");
    pb.environment().put("OMP_NUM_THREADS", "1");
    Path err = Files.createTempFile(tmp, "py", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "python timed out");
    assertEquals(0, p.exitValue(), "python failed: " + Files.readString(err));
    return out;
  }
}
