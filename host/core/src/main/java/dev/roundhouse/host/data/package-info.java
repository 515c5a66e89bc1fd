/**
 * Training data: tokenizers, sources, the synthetic corpus, the train/val split and batch loaders.
 *
 * <p>Flow: {@link dev.roundhouse.host.config.DataSpec#open} (or
 * {@link dev.roundhouse.host.data.DataSources#open}) reads a file, folder, glob or the
 * {@link dev.roundhouse.host.data.SyntheticCorpus} into a {@link dev.roundhouse.host.data.TokenStream}
 * and checks it, throwing {@link dev.roundhouse.host.data.DataException} before training starts;
 * {@link dev.roundhouse.host.data.Dataset#split} cuts it into train (head) and val (tail);
 * {@link dev.roundhouse.host.data.BatchLoader} samples seeded training batches whose position is a
 * {@link dev.roundhouse.host.data.LoaderCursor} saved in checkpoints;
 * {@link dev.roundhouse.host.data.ValidationBatches} gives the fixed eval windows.
 */
package dev.roundhouse.host.data;
