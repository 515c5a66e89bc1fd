/**
 * The live run dashboard: loss and throughput charts, the expert-load heatmap and per-layer router health
 * rows, fed from the run's event bus with throttling ({@code EventThrottle}) so the FX thread never floods.
 */
package dev.roundhouse.app.dashboard;
