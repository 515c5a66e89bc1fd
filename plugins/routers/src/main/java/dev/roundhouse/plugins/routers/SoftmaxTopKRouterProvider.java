package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;
import org.pf4j.Extension;

/**
 * The classic token-choice router: softmax over E expert logits, top-k experts per token, gates =
 * the selected probabilities; optional renormalisation, jitter/noise, group-limited routing and
 * balance losses (micro-batch, sequence-wise or global aux loss; z-loss). See {@link SoftmaxTopKConfig}.
 */
@Extension
public class SoftmaxTopKRouterProvider implements RouterProvider<SoftmaxTopKConfig> {
  public static final String ID = "softmax-topk";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<SoftmaxTopKConfig> configType() {
    return SoftmaxTopKConfig.class;
  }

  @Override
  public Router build(SoftmaxTopKConfig config, RouterContext context) {
    return new SoftmaxTopKRouter(config == null ? SoftmaxTopKConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "softmax over expert logits, top-k selection, aux loss (batch/sequence/global), z-loss, "
        + "jitter/noise, group-limited routing";
  }
}
