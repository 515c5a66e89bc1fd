package dev.roundhouse.plugins.precision;

import java.util.List;

/**
 * {@code {"type": "bf16-mixed", "roles": [...]}}.
 *
 * @param roles parameter roles whose matmuls run in bf16; default attention, dense_ffn,
 *     routed_expert, shared_expert (the LM head stays fp32 unless "head" is listed)
 */
public record Bf16MixedConfig(List<String> roles) {
  public static final List<String> DEFAULT_ROLES = List.of("attention", "dense_ffn", "routed_expert", "shared_expert");

  public Bf16MixedConfig {
    roles = Roles.orDefault(roles, DEFAULT_ROLES);
    Roles.parse(roles);
  }
}
