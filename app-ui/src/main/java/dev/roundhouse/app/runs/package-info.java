/**
 * The Runs tab: run directories found under the runs folder, with their status and final losses.
 */
package dev.roundhouse.app.runs;
