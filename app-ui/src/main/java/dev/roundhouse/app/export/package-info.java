/**
 * Export of app views as PNG files.
 */
package dev.roundhouse.app.export;
