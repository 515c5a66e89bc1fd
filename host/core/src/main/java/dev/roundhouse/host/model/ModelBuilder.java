package dev.roundhouse.host.model;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.tensor.ParamRole;
import dev.roundhouse.api.ParameterFactory;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.host.config.ModelConfig;
import dev.roundhouse.host.config.MoeConfig;
import dev.roundhouse.host.registry.BoundComponent;
import dev.roundhouse.host.registry.BoundPlugins;
import dev.roundhouse.tensor.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/** Composes a {@link MoeTransformer} from a {@link ModelConfig} and plugin components. */
public final class ModelBuilder {
  private ModelBuilder() {}

  /** A new model with parameters initialised by the run's {@link InitScheme} from {@code seed}. */
  public static MoeTransformer build(ModelConfig m, BoundPlugins plugins, PrecisionPolicy precision,
      long seed, DataType dtype) {
    return build(m, plugins, precision, new InitScheme(m.initStd(), m.nLayers(), dtype, seed), seed, 0);
  }

  /**
   * A data-parallel shard replica of {@code primary} (built from the same config): new plugin
   * instances and parameter objects (own gradients) whose values are the primary's arrays. Shard
   * {@code shard} >= 1 gives routers a different noise seed than the primary (shard 0).
   */
  public static MoeTransformer replica(MoeTransformer primary, ModelConfig m, BoundPlugins plugins,
      PrecisionPolicy precision, long seed, int shard) {
    if (shard < 1) {
      throw new IllegalArgumentException("replica shard must be >= 1 (0 is the primary), got " + shard);
    }
    MoeTransformer r = build(m, plugins, precision, new SharedParameters(primary.parameters()), seed, shard);
    List<String> want = primary.parameters().stream().map(Parameter::name).toList();
    List<String> got = r.parameters().stream().map(Parameter::name).toList();
    if (!want.equals(got)) {
      throw new IllegalStateException("shard replica " + shard + " has parameters " + got + ", the primary " + want);
    }
    for (int i = 0; i < want.size(); i++) {
      if (r.parameters().get(i).data() != primary.parameters().get(i).data()) {
        throw new IllegalStateException("parameter " + want.get(i) + " was not made by the component's"
            + " ParameterFactory, so data-parallel shard " + shard + " cannot share it (set train.dataParallel=1"
            + " or build it with the factory)");
      }
    }
    return r;
  }

  /** Router noise seed of layer {@code layer} in data-parallel shard {@code shard} (0: the primary). */
  static long routerSeed(long seed, int layer, int shard) {
    long base = seed * 31 + layer;
    return shard == 0 ? base : base + shard * 0x9E3779B97F4A7C15L;
  }

  private static MoeTransformer build(ModelConfig m, BoundPlugins plugins, PrecisionPolicy precision,
      ParameterScopes init, long seed, int shard) {
    ParameterFactory root = init.scoped("");
    int d = m.dModel();
    Parameter embedding = root.normal("embedding", ParamRole.EMBEDDING, m.vocabSize(), d);
    MoeConfig moe = m.moe();
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < m.nLayers(); i++) {
      String prefix = "layers." + i + ".";
      ParameterFactory layer = init.scoped(prefix);
      Parameter attnNorm = layer.constant("attn_norm", ParamRole.NORM, 1.0, d);
      BoundComponent<AttentionContext, Attention> attnPlugin = plugins.attention(i);
      Attention attention = attnPlugin.build(new AttentionContext(d, m.nHeads(), m.seqLen(), i, m.nLayers(),
          m.ropeTheta(), init.scoped(prefix + "attn."), precision));
      Parameter ffnNorm = layer.constant("ffn_norm", ParamRole.NORM, 1.0, d);
      SwiGlu dense = null;
      MoeLayer moeLayer = null;
      if (i < moe.firstDenseLayers()) {
        dense = new SwiGlu(init.scoped(prefix + "ffn."), ParamRole.DENSE_FFN, d, moe.denseHidden(), precision);
      } else {
        Router router = plugins.router().build(new RouterContext(d, moe.routedExperts(), moe.topK(), i,
            init.scoped(prefix + "moe.router."), routerSeed(seed, i, shard)));
        moeLayer = new MoeLayer(plugins.router().id(), router, init.scoped(prefix + "moe."), d,
            moe.routedExperts(), moe.expertHidden(), moe.sharedExperts(), moe.sharedHidden(),
            moe.capacityFactor(), DispatchPlan.DropPolicy.of(moe.dropPolicy()), precision);
      }
      blocks.add(new Block(attnNorm, attnPlugin.id(), attention, ffnNorm, dense, moeLayer,
          m.normEps()));
    }
    Parameter finalNorm = root.constant("final_norm", ParamRole.NORM, 1.0, d);
    Parameter head = m.tieEmbeddings() ? embedding : root.normal("head", ParamRole.HEAD, m.vocabSize(), d);
    return new MoeTransformer(embedding, blocks, finalNorm, head, m.normEps(), precision);
  }
}
