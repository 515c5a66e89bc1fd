/**
 * The eager autograd engine over ND4J: {@code Tensor} and {@code Parameter} (with its {@code ParamRole}),
 * differentiable ops grouped by kind (matmul, elementwise, reductions, indexing, shapes, norms, softmax,
 * losses, the attention kernels the host uses too), {@code StepArena} (per-step workspace memory),
 * {@code NoGrad} and {@code GradCheck}. Start with {@link dev.roundhouse.tensor.F}, the facade over the
 * differentiable ops. This package imports nothing from the plugin API ({@code dev.roundhouse.api}), which
 * is built on it.
 */
package dev.roundhouse.tensor;
