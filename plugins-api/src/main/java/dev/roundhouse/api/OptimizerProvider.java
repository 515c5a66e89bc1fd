package dev.roundhouse.api;

/** Extension point for optimizers ({@code "adamw"}, {@code "muon"}, ...). See {@link ComponentProvider}. */
public interface OptimizerProvider<C extends Record> extends ComponentProvider<C, OptimizerContext, Optimizer> {}
