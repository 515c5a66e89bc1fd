/**
 * The built-in precision plugin: fp32, bf16-mixed, fp16 with dynamic loss scaling, fp8 and nvfp4
 * simulated quantisation (docs/precision.md).
 */
package dev.roundhouse.plugins.precision;
