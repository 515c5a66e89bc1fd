/**
 * Benchmarks behind {@code roundhouse bench} and their command-line mains (matmul, expert GEMMs, MoE layer,
 * training step, attention). The top layer of host/core: nothing depends on it, and it is the only package
 * that prints to the console (docs/performance.md).
 */
package dev.roundhouse.host.bench;
