package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;
import org.pf4j.Extension;

/**
 * DeepSeek-V3 style token-choice router: sigmoid scores, top-k on score + expert bias, gates from the
 * unbiased scores normalised over the k, aux-loss-free bias balancing after every optimizer step;
 * optional aux losses, z-loss and group-limited routing. See {@link SigmoidTopKConfig}.
 */
@Extension
public class SigmoidTopKRouterProvider implements RouterProvider<SigmoidTopKConfig> {
  public static final String ID = "sigmoid-topk";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<SigmoidTopKConfig> configType() {
    return SigmoidTopKConfig.class;
  }

  @Override
  public Router build(SigmoidTopKConfig config, RouterContext context) {
    return new SigmoidTopKRouter(config == null ? SigmoidTopKConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "sigmoid scores, top-k on score + expert bias, aux-loss-free bias balancing (biasUpdateRate), "
        + "optional aux/z losses and group-limited routing";
  }
}
