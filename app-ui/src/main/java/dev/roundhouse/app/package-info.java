/**
 * The JavaFX desktop app: {@code RoundhouseApp} starts it, {@code MainView}/{@code AppViewModel} hold the
 * tabs, {@code Registries} the current plugin registry (rescanned on demand) and {@code UiExecutor} the
 * background threads. MVVM: only ViewModels talk to the host; views never touch ND4J or block the FX thread
 * (enforced by {@code ArchitectureTest}).
 */
package dev.roundhouse.app;
