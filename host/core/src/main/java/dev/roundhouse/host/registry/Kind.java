package dev.roundhouse.host.registry;

import dev.roundhouse.api.AttentionContext;
import dev.roundhouse.api.AttentionProvider;
import dev.roundhouse.api.OptimizerContext;
import dev.roundhouse.api.OptimizerProvider;
import dev.roundhouse.api.PrecisionContext;
import dev.roundhouse.api.PrecisionProvider;
import dev.roundhouse.api.RouterContext;
import dev.roundhouse.api.RouterProvider;

/** The four extension-point families the registry loads, with the provider and context type of each. */
public enum Kind {
  ATTENTION("attention", AttentionProvider.class, AttentionContext.class),
  ROUTER("router", RouterProvider.class, RouterContext.class),
  PRECISION("precision", PrecisionProvider.class, PrecisionContext.class),
  OPTIMIZER("optimizer", OptimizerProvider.class, OptimizerContext.class);

  private final String label;
  private final Class<?> providerType;
  private final Class<?> contextType;

  Kind(String label, Class<?> providerType, Class<?> contextType) {
    this.label = label;
    this.providerType = providerType;
    this.contextType = contextType;
  }

  /** Lower-case name used in listings and messages, e.g. {@code "router"}. */
  public String label() {
    return label;
  }

  /** The extension-point interface, e.g. {@code RouterProvider.class}. */
  public Class<?> providerType() {
    return providerType;
  }

  /** The context record {@code build} takes, e.g. {@code RouterContext.class}. */
  public Class<?> contextType() {
    return contextType;
  }
}
