/**
 * Attention kernels of the built-in attention plugins (incubating: shapes and names may change with the
 * plugins that use them): masked attention over an explicit visibility mask, NSA's selected-block
 * attention, the depthwise causal convolution of KDA, rotary position embedding. Each is a differentiable op
 * on engine {@code Tensor}s with its backward pass written out. Full causal and sliding-window attention,
 * which the host uses too, stay in the engine ({@code dev.roundhouse.tensor.AttentionOps},
 * {@code BandedAttention}).
 */
package dev.roundhouse.plugins.attention.kernels;
