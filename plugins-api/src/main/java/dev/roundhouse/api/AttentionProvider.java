package dev.roundhouse.api;

/** Extension point for attention variants ({@code "mha"}, {@code "swa"}, ...). See {@link ComponentProvider}. */
public interface AttentionProvider<C extends Record>
    extends ComponentProvider<C, AttentionContext, Attention> {}
