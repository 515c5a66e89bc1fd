package com.example.roundhouse.learned;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;
import org.pf4j.Extension;

/** The {@code "learned-topk"} router. Stateless and thread-safe, like every provider. */
@Extension
public class LearnedRouterProvider implements RouterProvider<LearnedRouterConfig> {
  public static final String ID = "learned-topk";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<LearnedRouterConfig> configType() {
    return LearnedRouterConfig.class;
  }

  @Override
  public Router build(LearnedRouterConfig config, RouterContext context) {
    return new LearnedRouter(config == null ? new LearnedRouterConfig(null, null) : config, context);
  }

  @Override
  public String description() {
    return "learned top-k: linear gate W [E, d], top-k of the logits, softmax over the chosen k (temperature)";
  }
}
