package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.ConfigFields;
import java.util.List;

/**
 * {@code {"type": "fp8", "roles": ["routed_expert"], "scaling": "tensor"}}.
 *
 * @param roles roles whose matmuls run in fp8; default routed_expert only (add attention,
 *     dense_ffn, shared_expert to widen)
 * @param scaling "tensor" (default): one current scale per tensor from its amax; "block": 1 x
 *     blockSize scales for activations and gradients, blockSize x blockSize tiles for weights
 * @param blockSize block length for "block" scaling, default 128, >= 1 (a dimension it does not
 *     divide uses the greatest common divisor instead)
 */
public record Fp8Config(List<String> roles, String scaling, Integer blockSize) {
  public Fp8Config {
    roles = Roles.orDefault(roles, List.of("routed_expert"));
    Roles.parse(roles);
    scaling = ConfigFields.oneOf("scaling", scaling, "tensor", "tensor", "block");
    blockSize = ConfigFields.atLeast("blockSize", blockSize, 1, 128);
  }
}
