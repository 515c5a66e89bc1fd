/**
 * The Compose tab: a form per plugin section built from the provider's config record ({@code RecordFields},
 * {@code FieldSpec}), validated through the host as the user types, with a model size and memory estimate.
 */
package dev.roundhouse.app.compose;
