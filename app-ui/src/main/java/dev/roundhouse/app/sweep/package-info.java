/** Sweep screen: a sweep folder's report table, its trials selectable for the Compare screen. */
package dev.roundhouse.app.sweep;
