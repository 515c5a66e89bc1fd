/**
 * Run events and metrics: {@code EventBus} (training thread to observers), {@code RunEvent} records,
 * {@code JsonlMetricsWriter}/{@code MetricsReader} for metrics.jsonl, expert load and router health per
 * layer (docs/metrics.md).
 */
package dev.roundhouse.host.metrics;
