/**
 * The built-in attention plugin: mha, gqa, swa, mla, nsa and kda (docs/attention.md).
 */
package dev.roundhouse.plugins.attention;
