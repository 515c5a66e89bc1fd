/**
 * Misbehaving providers that reliability tests pack into real plugin jars (never listed in a META-INF/extensions.idx
 * on the test class path, so they are only found inside those jars).
 */
package dev.roundhouse.host.train.faults;
