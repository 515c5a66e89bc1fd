package dev.roundhouse.plugins.precision;

import java.util.List;

/**
 * {@code {"type": "nvfp4", "roles": ["routed_expert"]}}.
 *
 * @param roles roles whose matmuls run in NVFP4; default routed_expert only
 */
public record Nvfp4Config(List<String> roles) {
  public Nvfp4Config {
    roles = Roles.orDefault(roles, List.of("routed_expert"));
    Roles.parse(roles);
  }
}
