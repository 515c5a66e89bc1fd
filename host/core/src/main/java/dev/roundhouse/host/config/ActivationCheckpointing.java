package dev.roundhouse.host.config;

import java.util.Locale;

/**
 * What each block recomputes in backward instead of keeping from forward
 * ({@code train.activationCheckpointing}; see docs/memory.md). The gradients are the same in every
 * mode; the modes trade memory for the time of one more forward of the recomputed part.
 */
public enum ActivationCheckpointing {
  /** Keep every activation (default). */
  NONE,
  /** Recompute the attention sublayer (its norm and the attention component). */
  ATTENTION,
  /** Recompute the MoE FFN sublayer (norm, router, experts, shared experts) of MoE blocks. */
  MOE,
  /** Recompute the whole block: only its input is kept. */
  BLOCK;

  /** The values {@code train.activationCheckpointing} accepts. */
  public static final String VALUES = "none, attention, moe, block";

  /** The mode named {@code name} (case-insensitive), or null for an unknown name. */
  public static ActivationCheckpointing parse(String name) {
    for (ActivationCheckpointing m : values()) {
      if (m.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    return null;
  }
}
