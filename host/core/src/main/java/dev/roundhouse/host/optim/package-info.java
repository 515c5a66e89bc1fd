/**
 * Optimizer groups: which parameters each optimizer gets ({@code ParamSelector}, {@code OptimizerGroups}),
 * weight-decay rules, and the set of optimizers of one run (docs/optimizers.md).
 */
package dev.roundhouse.host.optim;
