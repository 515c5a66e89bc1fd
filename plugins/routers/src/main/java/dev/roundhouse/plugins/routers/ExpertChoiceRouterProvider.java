package dev.roundhouse.plugins.routers;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;
import org.pf4j.Extension;

/**
 * Expert-choice routing: each expert takes its top-C tokens (C = N * k / E * capacityFactor), so
 * every expert is equally loaded; tokens may get 0..E experts. See {@link ExpertChoiceConfig}.
 */
@Extension
public class ExpertChoiceRouterProvider implements RouterProvider<ExpertChoiceConfig> {
  public static final String ID = "expert-choice";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<ExpertChoiceConfig> configType() {
    return ExpertChoiceConfig.class;
  }

  @Override
  public Router build(ExpertChoiceConfig config, RouterContext context) {
    return new ExpertChoiceRouter(config == null ? ExpertChoiceConfig.defaults() : config, context);
  }

  @Override
  public String description() {
    return "each expert picks its top-C tokens (capacityFactor); balanced by construction, tokens get 0..E experts";
  }
}
