/**
 * The headless {@code roundhouse} command: {@code Main} dispatches to {@code Commands}; {@code Args} parses
 * options, {@code Failures} and {@code ExitCodes} turn failures into one line and a documented exit code
 * (docs/cli.md), {@code PluginListing} prints {@code roundhouse plugins}, {@code Verbosity} the
 * {@code --verbose} switch. Everything else is host/core.
 */
package dev.roundhouse.cli;
