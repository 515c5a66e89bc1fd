package dev.roundhouse.host.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roundhouse.api.Router;
import dev.roundhouse.host.data.LoaderCursor;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.run.Json;
import dev.roundhouse.host.run.LoadedCheckpoint;
import dev.roundhouse.tensor.Parameter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a checkpoint holds and how it maps back onto a run. Tensor names: {@code param/<name>},
 * {@code opt/<key>}, {@code router/<layer>/<key>}, {@code precision/<key>}. Meta: step, data
 * cursor, config fingerprint, skipped steps, data fingerprint ({@link dev.roundhouse.host.data.DataFingerprint}).
 */
final class CheckpointState {
  private CheckpointState() {}

  static Map<String, INDArray> tensors(TrainingRun run) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Parameter p : run.parameters()) {
      out.put("param/" + p.name(), p.data());
    }
    run.optimizer().state().forEach((k, v) -> out.put("opt/" + k, v));
    for (Map.Entry<Integer, MoeLayer> e : run.model().moeLayers().entrySet()) {
      e.getValue().router().state().forEach((k, v) -> out.put("router/" + e.getKey() + "/" + k, v));
    }
    run.precision().state().forEach((k, v) -> out.put("precision/" + k, v));
    return out;
  }

  static ObjectNode meta(TrainingRun run, int step, int skippedSteps) {
    ObjectNode meta = Json.mapper().createObjectNode();
    meta.put("step", step);
    meta.put("config_fingerprint", run.fingerprint());
    meta.set("config", run.resolvedConfig());
    meta.put("skipped_steps", skippedSteps);
    meta.set("data_fingerprint", run.dataFingerprint().toJson());
    ObjectNode cursor = meta.putObject("data_cursor");
    run.loader().cursor().toMap().forEach(cursor::put);
    return meta;
  }

  /** Restores weights and every state; returns the skipped-step count stored with it. */
  static int restore(TrainingRun run, LoadedCheckpoint c) {
    restoreParameters(run.parameters(), c);
    run.optimizer().loadState(prefixed(c.tensors(), "opt/"));
    restoreRouters(run.model(), c);
    run.precision().loadState(prefixed(c.tensors(), "precision/"));
    Map<String, Long> cursor = new LinkedHashMap<>();
    c.meta().get("data_cursor").fields().forEachRemaining(f -> cursor.put(f.getKey(), f.getValue().asLong()));
    run.loader().restore(LoaderCursor.fromMap(cursor));
    return c.meta().path("skipped_steps").asInt(0);
  }

  /** Restores every MoE layer's router state (expert bias, noise counters). */
  static void restoreRouters(MoeTransformer model, LoadedCheckpoint c) {
    for (Map.Entry<Integer, MoeLayer> e : model.moeLayers().entrySet()) {
      Router r = e.getValue().router();
      r.loadState(prefixed(c.tensors(), "router/" + e.getKey() + "/"));
    }
  }

  /** Copies every parameter's value from the checkpoint; a missing or mis-shaped one is named. */
  static void restoreParameters(List<Parameter> params, LoadedCheckpoint c) {
    for (Parameter p : params) {
      INDArray v = c.tensors().get("param/" + p.name());
      if (v == null) {
        throw new IllegalStateException(c.dir() + ": checkpoint has no tensor for parameter " + p.name());
      }
      if (!Arrays.equals(v.shape(), p.shape())) {
        throw new IllegalStateException(c.dir() + ": parameter " + p.name() + " has shape "
            + Arrays.toString(v.shape()) + " in the checkpoint, model has " + Arrays.toString(p.shape()));
      }
      p.data().assign(v);
    }
  }

  private static Map<String, INDArray> prefixed(Map<String, INDArray> all, String prefix) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    all.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }
}
