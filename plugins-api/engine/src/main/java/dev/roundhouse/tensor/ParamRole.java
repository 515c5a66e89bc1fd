package dev.roundhouse.tensor;

/**
 * What a parameter is for. Optimizer parameter groups, weight-decay defaults and precision policies
 * select parameters by role.
 */
public enum ParamRole {
  EMBEDDING,
  ATTENTION,
  DENSE_FFN,
  ROUTER,
  ROUTED_EXPERT,
  SHARED_EXPERT,
  NORM,
  HEAD,
  BIAS,
  OTHER
}
