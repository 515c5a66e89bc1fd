/**
 * The built-in optimizer plugin: adamw, sgd, lion, muon and adafactor (docs/optimizers.md).
 */
package dev.roundhouse.plugins.optimizers;
