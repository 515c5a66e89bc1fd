package dev.roundhouse.host.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.SafeTensors;
import dev.roundhouse.tensor.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code init.from}: copies an export folder's weights (model.safetensors under {@link HfNames}) into a
 * freshly built model of the same architecture. Every model tensor must be present with its shape and
 * the file may hold nothing else; errors name the tensor and both shapes. A stock DeepSeek-V3 folder
 * ({@code model_type: deepseek_v3}) is read through {@link DeepSeekV3Import}. Router expert biases are
 * loaded into routers that have one. Not thread-safe with a model being trained.
 */
public final class HfImport {
  private HfImport() {}

  /** Reads {@code dir} and assigns every weight of {@code model}. */
  public static void loadInto(MoeTransformer model, Path dir) {
    Path cfgFile = dir.resolve(HfExport.CONFIG);
    Path weights = dir.resolve(HfExport.WEIGHTS);
    if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
      throw new ExportException(dir + ": not an export folder (needs " + HfExport.CONFIG + " and " + HfExport.WEIGHTS
          + ")");
    }
    JsonNode cfg = Json.read(cfgFile);
    String type = cfg.path("model_type").asText("");
    boolean deepSeek = DeepSeekV3Import.is(cfg);
    if (!type.equals("roundhouse") && !deepSeek) {
      throw new ExportException(cfgFile + ": unknown architecture model_type '" + type
          + "' (import reads Roundhouse exports, model_type 'roundhouse', and stock 'deepseek_v3' folders)");
    }
    Map<String, INDArray> tensors;
    try {
      tensors = new LinkedHashMap<>(SafeTensors.read(weights).tensors());
    } catch (IOException e) {
      throw new ExportException(weights + ": cannot read: " + e.getMessage(), e);
    }
    if (deepSeek) {
      tensors = DeepSeekV3Import.tensors(tensors, cfg);
    }
    Map<String, String> attentionType = new LinkedHashMap<>();
    for (int i = 0; i < model.blocks().size(); i++) {
      attentionType.put("layers." + i + ".", model.blocks().get(i).attentionId());
    }
    Set<String> unused = new LinkedHashSet<>(tensors.keySet());
    for (Parameter p : model.parameters()) {
      String name = HfNames.of(p.name(), HfExport.typeOf(p.name(), attentionType));
      p.data().assign(take(weights, tensors, unused, deepSeek, name, p.shape(), "parameter " + p.name()).castTo(p.dataType()));
    }
    for (Map.Entry<Integer, MoeLayer> e : model.moeLayers().entrySet()) {
      INDArray bias = e.getValue().router().expertBias();
      if (bias != null) {
        INDArray v = take(weights, tensors, unused, deepSeek, HfNames.expertBias(e.getKey()), new long[] {bias.length()},
            "router expert bias of layer " + e.getKey());
        e.getValue().router().loadState(Map.of("expert_bias", v));
      }
    }
    if (!unused.isEmpty()) {
      throw new ExportException(weights + ": holds tensors the model does not have: "
          + String.join(", ", unused.stream().limit(5).toList()) + (unused.size() > 5 ? ", ..." : "")
          + " (different architecture?)");
    }
  }

  private static INDArray take(Path file, Map<String, INDArray> tensors, Set<String> unused, boolean deepSeek,
      String name, long[] shape, String what) {
    INDArray v = tensors.get(name);
    if (v == null) {
      String source = deepSeek ? DeepSeekV3Import.sourceName(name) : name;
      throw new ExportException(file + ": missing tensor '" + source + "' (" + what + ", shape "
          + Arrays.toString(shape) + (source.equals(name) ? "" : ", as '" + name + "'") + ")");
    }
    if (!Arrays.equals(v.shape(), shape)) {
      throw new ExportException(file + ": tensor '" + name + "' has shape " + Arrays.toString(v.shape())
          + " in the file, the model expects " + Arrays.toString(shape) + " (" + what + ")");
    }
    unused.remove(name);
    return v;
  }
}
