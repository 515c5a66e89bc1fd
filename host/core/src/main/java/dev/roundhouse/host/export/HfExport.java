package dev.roundhouse.host.export;

import dev.roundhouse.host.config.RunConfig;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.registry.PluginRegistry;
import dev.roundhouse.host.run.AtomicFiles;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.host.run.SafeTensors;
import dev.roundhouse.tensor.Parameter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code roundhouse export}: a run's checkpoint as a Hugging Face-style folder (docs/export.md):
 * <pre>
 * model.safetensors        float32 weights under HF-style names ({@link HfNames}); sigmoid-topk expert biases
 * config.json              {@link HfLayout} + auto_map for trust_remote_code + the run config ("roundhouse")
 * generation_config.json   greedy by default
 * tokenizer.json           the byte tokenizer as a byte-level BPE ({@link ByteLevelTokenizerJson})
 * tokenizer_config.json
 * modeling_roundhouse.py   self-contained PyTorch model (torch only; transformers optional)
 * roundhouse-config.json   the run's resolved config, for {@code roundhouse import}
 * deepseek_v3/             config.json + model.safetensors in DeepSeek-V3's form, when the model is in that
 *                          family ({@link DeepSeekV3Export}); config.json's roundhouse.deepseek_v3 says why not
 * </pre>
 * The folder is written under a temporary name next to {@code out} and renamed into place, so it
 * either is complete or does not exist. An existing {@code out} is refused. Stateless.
 */
public final class HfExport {
  public static final String WEIGHTS = "model.safetensors";
  public static final String CONFIG = "config.json";
  public static final String RUN_CONFIG = "roundhouse-config.json";
  public static final String MODELING = "modeling_roundhouse.py";

  private HfExport() {}

  /**
   * Exports {@code model} (loaded from checkpoint {@code step} of {@code runDir} with config {@code run}) to
   * {@code out}; returns out. Loading is the caller's ({@code train.RunExport} opens the checkpoint), so
   * that this package does not depend on the trainer's.
   */
  public static Path export(Path runDir, RunConfig run, MoeTransformer model, long step, Path out,
      PluginRegistry registry) {
    ObjectNode config = HfLayout.config(run.model(), model, registry);
    ObjectNode rh = config.putObject("roundhouse");
    rh.put("run", runDir.toAbsolutePath().getFileName().toString());
    rh.put("step", step);
    rh.put("precision", run.precision().path("type").asText());
    Map<String, INDArray> tensors = tensors(model);
    String notDeepSeek = DeepSeekV3Export.mismatch(run.model(), config);
    rh.put("deepseek_v3", notDeepSeek == null ? DeepSeekV3Export.FOLDER + "/" : "not written: " + notDeepSeek);
    ObjectNode runConfig = (ObjectNode) Json.read(runDir.resolve(RunDirectory.CONFIG_FILE));
    ObjectNode deepSeekConfig = notDeepSeek == null ? DeepSeekV3Export.config(run.model(), config) : null;
    Map<String, INDArray> deepSeek = notDeepSeek == null
        ? DeepSeekV3Export.tensors(tensors, run.model(), config) : null;
    write(out, config, tensors, runConfig, run.model().seqLen(), deepSeekConfig, deepSeek);
    return out;
  }

  /** The export tensors of a model: every parameter (float32) plus the expert bias of routers that have one. */
  static Map<String, INDArray> tensors(MoeTransformer model) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    Map<String, String> attentionType = new LinkedHashMap<>();
    for (int i = 0; i < model.blocks().size(); i++) {
      attentionType.put("layers." + i + ".", model.blocks().get(i).attentionId());
    }
    for (Parameter p : model.parameters()) {
      out.put(HfNames.of(p.name(), typeOf(p.name(), attentionType)), p.data().castTo(DataType.FLOAT));
    }
    for (Map.Entry<Integer, MoeLayer> e : model.moeLayers().entrySet()) {
      INDArray bias = e.getValue().router().expertBias();
      if (bias != null) {
        out.put(HfNames.expertBias(e.getKey()), bias.castTo(DataType.FLOAT).reshape(bias.length()));
      }
    }
    return out;
  }

  static String typeOf(String param, Map<String, String> attentionType) {
    for (Map.Entry<String, String> e : attentionType.entrySet()) {
      if (param.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return "";
  }

  private static void write(Path out, ObjectNode config, Map<String, INDArray> tensors, ObjectNode runConfig,
      int seqLen, ObjectNode deepSeekConfig, Map<String, INDArray> deepSeek) {
    Path target = out.toAbsolutePath().normalize();
    if (Files.exists(target)) {
      throw new ExportException(target + ": already exists; export writes a new folder");
    }
    Path parent = target.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempDirectory(parent, ".tmp-" + target.getFileName() + "-");
      SafeTensors.write(tmp.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
      AtomicFiles.writeString(tmp.resolve(CONFIG), Json.pretty(config));
      ObjectNode gen = JsonNodeFactory.instance.objectNode();
      gen.put("do_sample", false);
      gen.put("max_length", seqLen);
      AtomicFiles.writeString(tmp.resolve("generation_config.json"), Json.pretty(gen));
      AtomicFiles.writeString(tmp.resolve("tokenizer.json"), Json.pretty(ByteLevelTokenizerJson.tokenizer()));
      AtomicFiles.writeString(tmp.resolve("tokenizer_config.json"),
          Json.pretty(ByteLevelTokenizerJson.tokenizerConfig(seqLen)));
      AtomicFiles.writeString(tmp.resolve(RUN_CONFIG), Json.pretty(runConfig));
      AtomicFiles.writeBytes(tmp.resolve(MODELING), modelingFile());
      if (deepSeek != null) {
        Path ds = Files.createDirectory(tmp.resolve(DeepSeekV3Export.FOLDER));
        SafeTensors.write(ds.resolve(WEIGHTS), deepSeek, Map.of("format", "pt"));
        AtomicFiles.writeString(ds.resolve(CONFIG), Json.pretty(deepSeekConfig));
        AtomicFiles.writeString(ds.resolve("tokenizer.json"), Json.pretty(ByteLevelTokenizerJson.tokenizer()));
        AtomicFiles.fsyncDirectory(ds);
      }
      AtomicFiles.fsyncDirectory(tmp);
      AtomicFiles.moveAtomically(tmp, target);
      tmp = null;
      AtomicFiles.fsyncDirectory(parent);
    } catch (IOException e) {
      throw new ExportException(target + ": cannot write the export: " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        deleteQuietly(tmp);
      }
    }
  }

  /** The shipped modeling file. */
  public static byte[] modelingFile() throws IOException {
    try (InputStream in = HfExport.class.getResourceAsStream(MODELING)) {
      if (in == null) {
        throw new IOException("resource " + MODELING + " is missing from the build");
      }
      return in.readAllBytes();
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort: a dot-folder is left behind
    }
  }
}
