package dev.roundhouse.api;

/** Extension point for MoE routers ({@code "softmax-topk"}, {@code "sigmoid-topk"}, ...). See {@link ComponentProvider}. */
public interface RouterProvider<C extends Record> extends ComponentProvider<C, RouterContext, Router> {}
