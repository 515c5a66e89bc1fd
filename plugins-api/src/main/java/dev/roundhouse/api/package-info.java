/**
 * The plugin API's extension points: {@code AttentionProvider}, {@code RouterProvider},
 * {@code PrecisionProvider}, {@code OptimizerProvider} (all {@code ComponentProvider}s), the components they
 * build, the contexts they get and the values they return ({@code Routing}). Versioned by {@code ApiVersion}
 * (docs/plugins.md).
 */
package dev.roundhouse.api;
