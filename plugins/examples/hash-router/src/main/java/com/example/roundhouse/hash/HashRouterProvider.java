package com.example.roundhouse.hash;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;
import org.pf4j.Extension;

/**
 * The {@code "hash"} router (in the spirit of Hash Layers, Roller et al. 2021): a fixed, parameter-free
 * assignment of tokens to experts by a hash of each token's hidden row. Stateless and thread-safe,
 * like every provider.
 */
@Extension
public class HashRouterProvider implements RouterProvider<HashRouterConfig> {
  public static final String ID = "hash";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<HashRouterConfig> configType() {
    return HashRouterConfig.class;
  }

  @Override
  public Router build(HashRouterConfig config, RouterContext context) {
    return new HashRouter(config == null ? HashRouterConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "hash routing: experts picked by a random-hyperplane hash of the token row (bits, salt); no parameters, no aux loss";
  }
}
