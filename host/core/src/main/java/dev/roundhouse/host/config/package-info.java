/**
 * The run config: records ({@code RunConfig}, {@code ModelConfig}, {@code MoeConfig}, {@code TrainConfig},
 * {@code AlarmsConfig}) read by {@code ConfigLoader} from JSON plus {@code --set} overrides, with every host
 * field checked and each problem named by its JSON path ({@code ConfigException}). Plugin sections stay
 * JSON here and are read through the registry (docs/config.md).
 */
package dev.roundhouse.host.config;
