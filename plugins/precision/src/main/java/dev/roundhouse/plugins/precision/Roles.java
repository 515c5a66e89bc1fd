package dev.roundhouse.plugins.precision;

import dev.roundhouse.api.ConfigFields;
import dev.roundhouse.tensor.ParamRole;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Parses the {@code roles} list of a precision config into parameter roles. */
final class Roles {
  /** Roles whose matmuls go through the precision policy and may be put in low precision. */
  static final Set<ParamRole> QUANTIZABLE = EnumSet.of(ParamRole.ATTENTION, ParamRole.DENSE_FFN,
      ParamRole.ROUTED_EXPERT, ParamRole.SHARED_EXPERT, ParamRole.HEAD, ParamRole.OTHER);

  private Roles() {}

  /** Lower-case names, e.g. ["routed_expert", "attention"]; null -> {@code defaults}. */
  static List<String> orDefault(List<String> roles, List<String> defaults) {
    return roles == null ? defaults : List.copyOf(roles);
  }

  static Set<ParamRole> parse(List<String> names) {
    Set<ParamRole> out = EnumSet.noneOf(ParamRole.class);
    List<String> known = new ArrayList<>();
    QUANTIZABLE.forEach(r -> known.add(name(r)));
    for (int i = 0; i < names.size(); i++) {
      String n = names.get(i);
      ParamRole r = null;
      for (ParamRole c : ParamRole.values()) {
        if (name(c).equals(n)) {
          r = c;
        }
      }
      if (r == null || !QUANTIZABLE.contains(r)) {
        throw ConfigFields.invalid("roles[" + i + "]", (r == null ? "unknown role" : "role not computed"
            + " through the precision policy (router, norm, embedding and bias stay fp32)") + " '" + n
            + "' (allowed: " + String.join(", ", known) + ")");
      }
      out.add(r);
    }
    return out;
  }

  static String name(ParamRole r) {
    return r.name().toLowerCase(Locale.ROOT);
  }

  /** Why a role stays in fp32 under a policy that does not list it. */
  static String whyFp32(ParamRole r) {
    return switch (r) {
      case ROUTER -> "fp32: router logits pick experts; low precision there skews expert load";
      case NORM -> "fp32: element-wise RMSNorm gains, no matmul";
      case EMBEDDING -> "fp32: table lookup, no matmul";
      case BIAS -> "fp32: element-wise add, no matmul";
      case HEAD -> "fp32: LM head logits feed the loss directly (add \"head\" to roles to change)";
      default -> "fp32: not in this policy's roles";
    };
  }
}
