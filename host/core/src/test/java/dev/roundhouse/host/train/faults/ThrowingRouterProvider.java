package dev.roundhouse.host.train.faults;

import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;

/** Test router {@code "throwing-ctor"} whose provider constructor throws: the registry must report the jar. */
public class ThrowingRouterProvider implements RouterProvider<ThrowingRouterProvider.Config> {
  /** No fields. */
  public record Config() {}

  public ThrowingRouterProvider() {
    throw new IllegalStateException("fixture: provider constructor exploded");
  }

  @Override
  public String id() {
    return "throwing-ctor";
  }

  @Override
  public Class<Config> configType() {
    return Config.class;
  }

  @Override
  public Router build(Config config, RouterContext context) {
    throw new UnsupportedOperationException();
  }
}
