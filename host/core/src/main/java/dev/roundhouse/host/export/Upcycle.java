package dev.roundhouse.host.export;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.Routing;
import dev.roundhouse.host.config.RunConfig;
import dev.roundhouse.host.model.MoeLayer;
import dev.roundhouse.host.model.MoeTransformer;
import dev.roundhouse.host.model.SwiGlu;
import dev.roundhouse.host.run.CheckpointStore;
import dev.roundhouse.host.run.LoadedCheckpoint;
import dev.roundhouse.host.run.RunDirectory;
import dev.roundhouse.tensor.NoGrad;
import dev.roundhouse.tensor.Parameter;
import dev.roundhouse.tensor.StepArena;
import dev.roundhouse.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code init.upcycle}: initialises a freshly built MoE from a dense run's newest checkpoint.
 *
 * <p>Every parameter the MoE shares by name with the dense model (embedding, attention, norms, head,
 * the dense FFNs of the first layers) is copied; shapes must match. In each MoE layer i, with the dense
 * FFN W1, W3 [Hd, d], W2 [d, Hd] of layer i, expert hidden h and P = Hd / h slices: routed expert e is
 * slice s = e mod P of the hidden dim (P = 1: a copy), W1[s h:(s+1) h], W3[s h:(s+1) h], W2[:, s h:(s+1) h]
 * times {@code P / sum(gates)}. A SwiGLU is a sum over its hidden units, so when the router is uniform
 * (weights 0: every expert scores the same) and its k choices cover the P slices equally often, the
 * routed output sum_j g_j expert_j(x) = (sum g / P) * P / (sum g) * sum of all slices = FFN(x): the first
 * forward equals the dense model's. The uniform gates and choices are read from the router plugin
 * itself (a routing of one zero row), so any router works; uneven coverage is refused. Shared experts
 * keep their random W1, W3 and start with W2 = 0 (no contribution at init, learning from the first step).
 * Routers start at normal(0, routerStd) (0 = exactly uniform). Not thread-safe with training.
 */
public final class Upcycle {
  private Upcycle() {}

  public static void fromDenseRun(MoeTransformer model, RunConfig cfg, Path denseRun) {
    LoadedCheckpoint ck = new CheckpointStore(denseRun.resolve(RunDirectory.CHECKPOINTS_DIR)).latest()
        .orElseThrow(() -> new ExportException(denseRun + ": no complete checkpoint to upcycle from"));
    Map<String, INDArray> src = new LinkedHashMap<>();
    ck.tensors().forEach((k, v) -> {
      if (k.startsWith("param/")) {
        src.put(k.substring(6), v);
      }
    });
    Set<Parameter> moeParams = new HashSet<>();
    model.moeLayers().values().forEach(m -> moeParams.addAll(m.parameters()));
    for (Parameter p : model.parameters()) {
      if (!moeParams.contains(p)) {
        p.data().assign(take(ck, src, p.name(), p.shape()).castTo(p.dataType()));
      }
    }
    for (Map.Entry<Integer, MoeLayer> e : model.moeLayers().entrySet()) {
      upcycleLayer(ck, src, e.getKey(), e.getValue(), cfg.init().routerStd(), cfg.seed());
    }
  }

  private static void upcycleLayer(LoadedCheckpoint ck, Map<String, INDArray> src, int layer, MoeLayer moe,
      double routerStd, long seed) {
    String prefix = "layers." + layer + ".ffn.";
    INDArray w1 = src.get(prefix + "w1");
    INDArray w3 = src.get(prefix + "w3");
    INDArray w2 = src.get(prefix + "w2");
    if (w1 == null || w3 == null || w2 == null) {
      throw new ExportException(ck.dir() + ": has no dense FFN " + prefix + "w1/w3/w2 for MoE layer " + layer
          + " (upcycling needs a dense layer there)");
    }
    long d = w1.size(1);
    long hd = w1.size(0);
    int h = moe.experts().get(0).hidden();
    if (hd % h != 0) {
      throw new ExportException("upcycle: expertHidden " + h + " must divide the dense hidden size " + hd
          + " of " + ck.dir() + " (layer " + layer + ")");
    }
    int slices = (int) (hd / h);
    Router router = moe.router();
    Parameter rw = router.parameters().get(0);
    for (Parameter p : router.parameters()) {
      p.data().assign(0.0);
    }
    double gateSum = uniformGateSum(router, (int) d, moe.experts().size(), slices, layer);
    double scale = slices / gateSum;
    List<SwiGlu> experts = moe.experts();
    for (int e = 0; e < experts.size(); e++) {
      int s = e % slices;
      var rows = NDArrayIndex.interval((long) s * h, (long) (s + 1) * h);
      List<Parameter> p = experts.get(e).parameters(); // w1, w3, w2
      p.get(0).data().assign(w1.get(rows, NDArrayIndex.all()).castTo(p.get(0).dataType()));
      p.get(1).data().assign(w3.get(rows, NDArrayIndex.all()).castTo(p.get(1).dataType()));
      p.get(2).data().assign(w2.get(NDArrayIndex.all(), rows).mul(scale).castTo(p.get(2).dataType()));
    }
    for (SwiGlu shared : moe.sharedExperts()) {
      shared.parameters().get(2).data().assign(0.0);
    }
    if (routerStd > 0) {
      Nd4j.getRandom().setSeed(seed * 31 + layer);
      rw.data().assign(Nd4j.randn(rw.dataType(), rw.shape()).muli(routerStd));
    }
  }

  /** Routes one zero row with the router's weights at 0; returns the sum of its k gates, checking slice coverage. */
  private static double uniformGateSum(Router router, int d, int experts, int slices, int layer) {
    try (StepArena arena = StepArena.open("upcycle"); NoGrad ng = NoGrad.enter()) {
      Routing r = router.route(Tensor.constant(Nd4j.zeros(router.parameters().get(0).dataType(), 1, d)), 1);
      double[] gates = r.gates().data().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
      int[] count = new int[slices];
      for (int e : r.expertIndex()) {
        count[e % slices]++;
      }
      if (Arrays.stream(count).distinct().count() != 1 || Arrays.stream(gates).distinct().count() != 1) {
        throw new ExportException("upcycle: layer " + layer + ": the uniform router picks experts "
            + Arrays.toString(r.expertIndex()) + " with gates " + Arrays.toString(gates) + "; granular upcycling into "
            + slices + " slices needs equal gates and topK a multiple of " + slices
            + " (choices covering every slice equally)");
      }
      return Arrays.stream(gates).sum();
    }
  }

  private static INDArray take(LoadedCheckpoint ck, Map<String, INDArray> src, String name, long[] shape) {
    INDArray v = src.get(name);
    if (v == null) {
      throw new ExportException(ck.dir() + ": the dense run has no parameter '" + name + "' (shape "
          + Arrays.toString(shape) + " in the MoE)");
    }
    if (!Arrays.equals(v.shape(), shape)) {
      throw new ExportException(ck.dir() + ": parameter '" + name + "' has shape " + Arrays.toString(v.shape())
          + " in the dense run, the MoE expects " + Arrays.toString(shape));
    }
    return v;
  }
}
