/**
 * Test support for plugin authors (artifact {@code roundhouse-test-support}, test scope): {@link
 * dev.roundhouse.testing.DoublePrecision} (DOUBLE dtype and a fixed seed for a test class), {@link
 * dev.roundhouse.testing.TestParameterFactory} (the {@code ParameterFactory} a host would pass to
 * {@code build}), {@link dev.roundhouse.testing.TestContexts} (a context per extension point) and {@link
 * dev.roundhouse.testing.GradChecks} (finite-difference gradient assertions). The built-in plugins' own tests
 * use it.
 */
package dev.roundhouse.testing;
