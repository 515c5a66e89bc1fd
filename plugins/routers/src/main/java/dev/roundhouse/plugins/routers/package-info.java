/**
 * The built-in router plugin: softmax-topk, sigmoid-topk (aux-loss-free bias balancing) and expert-choice
 * (docs/routers.md).
 */
package dev.roundhouse.plugins.routers;
