/**
 * A run's directory on disk: config.json, provenance.json, checkpoints (atomic writes, SHA-256, the
 * directory lock) and tensor files (docs/run-directory.md).
 */
package dev.roundhouse.host.run;
