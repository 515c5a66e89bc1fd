/**
 * The Compare tab: loss curves and router health of several finished or live runs side by side.
 */
package dev.roundhouse.app.compare;
