package dev.roundhouse.host.registry;

import dev.roundhouse.api.Attention;
import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.Optimizer;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionPolicy;
import dev.roundhouse.api.Router;
import dev.roundhouse.api.RouterContext;

/**
 * A {@link Kind} with its types: {@code X} the context a provider builds from, {@code T} the component it
 * builds. {@link PluginRegistry#bind} takes one, so a bound section builds a typed component without casts.
 * Immutable constants.
 */
public final class ComponentKind<X, T> {
  public static final ComponentKind<AttentionContext, Attention> ATTENTION = new ComponentKind<>(Kind.ATTENTION);
  public static final ComponentKind<RouterContext, Router> ROUTER = new ComponentKind<>(Kind.ROUTER);
  public static final ComponentKind<PrecisionContext, PrecisionPolicy> PRECISION = new ComponentKind<>(Kind.PRECISION);
  public static final ComponentKind<OptimizerContext, Optimizer> OPTIMIZER = new ComponentKind<>(Kind.OPTIMIZER);

  private final Kind kind;

  private ComponentKind(Kind kind) {
    this.kind = kind;
  }

  /** The untyped family, for listings and messages. */
  public Kind kind() {
    return kind;
  }

  @Override
  public String toString() {
    return kind.label();
  }
}
