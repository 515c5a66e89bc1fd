/**
 * The machine a run is on: ND4J backend, devices, memory, BLAS library and threads ({@code roundhouse env},
 * provenance.json).
 */
package dev.roundhouse.host.env;
