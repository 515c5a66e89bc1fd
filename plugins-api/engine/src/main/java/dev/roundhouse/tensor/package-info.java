/**
 * The eager autograd engine over ND4J: {@code Tensor} and {@code Parameter}, differentiable ops grouped by
 * kind (matmul, elementwise, reductions, indexing, shapes, norms, softmax, losses, attention kernels),
 * {@code StepArena} (per-step workspace memory), {@code NoGrad} and {@code GradCheck}.
 */
package dev.roundhouse.tensor;
