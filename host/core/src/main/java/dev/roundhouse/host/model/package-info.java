/**
 * The MoE transformer: {@code ModelBuilder} composes blocks from the config and the registry's providers
 * (attention, router, precision), {@code MoeLayer} dispatches routed assignments by expert
 * ({@code DispatchPlan}) to SwiGLU experts, {@code InitScheme} is the one parameter initialisation
 * (docs/model.md).
 */
package dev.roundhouse.host.model;
