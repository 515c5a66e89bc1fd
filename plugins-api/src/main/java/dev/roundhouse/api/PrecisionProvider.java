package dev.roundhouse.api;

/** Extension point for precision policies ({@code "fp32"}, {@code "bf16-mixed"}, ...). See {@link ComponentProvider}. */
public interface PrecisionProvider<C extends Record>
    extends ComponentProvider<C, PrecisionContext, PrecisionPolicy> {}
