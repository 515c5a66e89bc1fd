/**
 * Training: {@code Runs}/{@code RunFactory} create or resume a {@code TrainingRun} from a config, the
 * registry and a run directory; {@code Trainer} runs the steps (data-parallel shards, gradient clipping,
 * optimizer, router updates, alarms, checkpoints); {@code Evaluation} and {@code Inference} read a finished
 * run. The path of one step is in docs/architecture.md.
 */
package dev.roundhouse.host.train;
